import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { parse } from 'csv-parse';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock';
import { AliasKind, ImportLeadRowsCommand, LeadImportMapping, LeadImportRowError } from '../leads';
import { rowObject } from './domain/csv-detection';
import type { PrimaryKind } from './http/lead-import.dto';
import { LeadImportFiles } from './lead-import-files';
import { CSV_OPTIONS } from './lead-import-uploads';

export const IMPORT_CHUNK_ROWS = 500;
export const MAX_REPORTED_ERRORS = 100;

export interface ImportJobRow {
  id: string;
  org_id: string;
  unit_id: string;
  file_id: string;
  primary_column: string;
  primary_kind: PrimaryKind;
  field_mappings: Record<string, string>;
  alias_mappings: Record<string, AliasKind>;
  status: string;
  total_rows: number;
  processed_rows: number;
  errors: RowError[];
  created_by: string | null;
}

export type RowError = LeadImportRowError;

interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** Thrown for a job that cannot run at all (file gone): the job fails at once, without retries. */
export class ImportCannotRun extends Error {}

/**
 * LIMP-2 in the worker: streams the stored CSV and, in chunks of 500 rows, finds each row's lead by the
 * primary identifier (an alias of that kind, or the public lead id) or creates it, merges the mapped fields into
 * its metadata (silently: no timeline entry) and attaches the mapped aliases (never taking one that another lead
 * owns). Each chunk is one transaction that also moves the job's counters, so a retried job resumes after the
 * last committed chunk and counts nothing twice; re-running an import finds the leads it created.
 */
@Injectable()
export class LeadImportRunner {
  private readonly log = new Logger('LeadImport');

  constructor(
    private readonly ds: DataSource,
    private readonly commands: CommandBus,
    private readonly files: LeadImportFiles,
    private readonly clock: Clock,
  ) {}

  async run(jobId: string, progress: (percent: number) => Promise<void> = async () => undefined): Promise<{ processed_rows: number }> {
    // UPDATE … RETURNING answers [rows, affected]
    const [[job]] = await this.ds.query(
      `UPDATE lead_import_jobs SET status = 'running', started_at = coalesce(started_at, $2) WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [jobId, this.clock.now().toISOString()],
    );
    if (!job) return { processed_rows: 0 }; // finished already (a redelivered job)
    const row = job as ImportJobRow;
    const [file] = await this.ds.query(`SELECT complete, purged FROM lead_import_files WHERE id = $1`, [row.file_id]);
    if (!file?.complete || file.purged) throw new ImportCannotRun('the uploaded file is no longer stored');

    let headers: string[] | null = null;
    let seen = 0;
    let processed = row.processed_rows;
    let chunk: CsvRow[] = [];
    const reported = { count: (row.errors ?? []).length };
    const parser = this.files.stream(row.file_id).pipe(parse({ ...CSV_OPTIONS, info: true }));
    const flush = async () => {
      if (!chunk.length) return;
      const rows = chunk;
      chunk = [];
      processed = await this.applyChunk(row, rows, processed, reported);
      await progress(row.total_rows ? Math.min(100, Math.floor((processed / row.total_rows) * 100)) : 100);
      this.log.log({ msg: 'lead import progress', job_id: row.id, processed_rows: processed, total_rows: row.total_rows });
    };
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (headers === null) {
        headers = record;
        continue;
      }
      seen++;
      if (seen <= row.processed_rows) continue; // committed by an earlier attempt
      chunk.push({ line: info.lines, values: rowObject(headers, record) });
      if (chunk.length >= IMPORT_CHUNK_ROWS) await flush();
    }
    await flush();
    await this.ds.query(`UPDATE lead_import_jobs SET status = 'completed', finished_at = $2, total_rows = $3 WHERE id = $1`, [
      row.id,
      this.clock.now().toISOString(),
      seen,
    ]);
    this.log.log({ msg: 'lead import completed', job_id: row.id, processed_rows: processed });
    return { processed_rows: processed };
  }

  async markFailed(jobId: string, reason: string): Promise<void> {
    await this.ds.query(`UPDATE lead_import_jobs SET status = 'failed', failure_reason = $2, finished_at = $3 WHERE id = $1 AND status <> 'completed'`, [
      jobId,
      reason.slice(0, 1000),
      this.clock.now().toISOString(),
    ]);
  }

  /** One chunk: the leads module's `ImportLeadRows` command, moving the job's counters in its transaction. */
  private async applyChunk(job: ImportJobRow, rows: CsvRow[], processedBefore: number, reported: { count: number }): Promise<number> {
    const processed = processedBefore + rows.length;
    let listed = 0;
    const mapping: LeadImportMapping = {
      unit_id: job.unit_id,
      primary_column: job.primary_column,
      primary_kind: job.primary_kind,
      field_mappings: job.field_mappings,
      alias_mappings: job.alias_mappings,
    };
    const metadata = { org_id: job.org_id, unit_id: job.unit_id, actor: job.created_by, correlation_id: `lead-import-${job.id}` };
    await this.commands.execute(
      new ImportLeadRowsCommand(rows, mapping, metadata, async (m, outcome) => {
        const errors = outcome.errors.slice(0, Math.max(0, MAX_REPORTED_ERRORS - reported.count));
        await m.query(
          `UPDATE lead_import_jobs
              SET processed_rows = $2, created_leads = created_leads + $3, updated_leads = updated_leads + $4,
                  error_count = error_count + $5, errors = errors || $6::jsonb
            WHERE id = $1`,
          [job.id, processed, outcome.created, outcome.updated, outcome.errors.length, JSON.stringify(errors)],
        );
        listed = errors.length;
      }),
    );
    reported.count += listed;
    return processed;
  }
}
