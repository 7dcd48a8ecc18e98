import { Injectable, Logger } from '@nestjs/common';
import { parse } from 'csv-parse';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AggregateRepository } from '../../platform/event-store/aggregate.repository';
import { uuidv7 } from '../../platform/event-store/uuid-v7';
import { normaliseAlias } from '../ingestion/ingest-job';
import { Alias, AliasKind } from '../leads/domain/lead-events';
import { Lead } from '../leads/domain/lead.aggregate';
import { rowObject } from './domain/csv-detection';
import type { PrimaryKind } from './http/lead-import.dto';
import { LeadImportFiles } from './lead-import-files';
import { CSV_OPTIONS } from './lead-import-uploads';
import { isUniqueViolation } from '../../platform/database/pg-errors';

export const IMPORT_CHUNK_ROWS = 500;
export const MAX_REPORTED_ERRORS = 100;
const MAX_VALUE_LENGTH = 320;
const MAX_LEAD_ID_LENGTH = 200;

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

export interface RowError {
  row: number;
  column?: string;
  reason: string;
}

interface CsvRow {
  line: number;
  values: Record<string, string>;
}

interface ChunkOutcome {
  created: number;
  updated: number;
  errors: RowError[];
}

const aliasKey = (a: Alias) => `${a.kind}:${a.value}`;

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
    private readonly repo: AggregateRepository,
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
    await this.ds.query(`UPDATE lead_import_jobs SET status = 'completed', finished_at = $2, total_rows = $3 WHERE id = $1`, [row.id, this.clock.now().toISOString(), seen]);
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

  /** One chunk in one transaction (re-decided from a fresh read when another writer got in first). */
  private async applyChunk(job: ImportJobRow, rows: CsvRow[], processedBefore: number, reported: { count: number }): Promise<number> {
    const done = await this.repo.transaction(
      async (m) => {
        const outcome = await this.decideAndSave(job, rows, m);
        const processed = processedBefore + rows.length;
        const listed = outcome.errors.slice(0, Math.max(0, MAX_REPORTED_ERRORS - reported.count));
        await m.query(
          `UPDATE lead_import_jobs
              SET processed_rows = $2, created_leads = created_leads + $3, updated_leads = updated_leads + $4,
                  error_count = error_count + $5, errors = errors || $6::jsonb
            WHERE id = $1`,
          [job.id, processed, outcome.created, outcome.updated, outcome.errors.length, JSON.stringify(listed)],
        );
        return { processed, listed: listed.length };
      },
      {
        retryAlso: isUniqueViolation, // another writer created the same lead or alias first
        onRetry: (_err, attempt) => this.log.debug({ msg: 'lead import chunk conflicted with another writer; retrying', job_id: job.id, attempt }),
      },
    );
    reported.count += done.listed;
    return done.processed;
  }

  private async decideAndSave(job: ImportJobRow, rows: CsvRow[], m: EntityManager): Promise<ChunkOutcome> {
    const now = this.clock.now();
    const outcome: ChunkOutcome = { created: 0, updated: 0, errors: [] };
    const byLeadId = job.primary_kind === 'lead_id';
    const aliasColumns = Object.entries(job.alias_mappings ?? {});
    const fieldColumns = Object.entries(job.field_mappings ?? {});

    // every identifier the chunk mentions, resolved in two queries
    const wantedAliases: Alias[] = [];
    const wantedLeadIds: string[] = [];
    for (const r of rows) {
      const primary = (r.values[job.primary_column] ?? '').trim();
      if (primary) {
        if (byLeadId) wantedLeadIds.push(primary);
        else wantedAliases.push(normaliseAlias(job.primary_kind as AliasKind, primary));
      }
      for (const [col, kind] of aliasColumns) {
        const v = (r.values[col] ?? '').trim();
        if (v) wantedAliases.push(normaliseAlias(kind, v));
      }
    }
    const identity = await this.loadIdentity(job.unit_id, wantedAliases, wantedLeadIds, m);

    const created = new Map<string, string>(); // ref → lead_id
    const ops: { ref: string; set: Record<string, unknown>; attach: Alias[] }[] = [];
    for (const r of rows) {
      const fail = (reason: string, column?: string) => outcome.errors.push({ row: r.line, ...(column !== undefined ? { column } : {}), reason });
      const primary = (r.values[job.primary_column] ?? '').trim();
      if (!primary) {
        fail(`the primary identifier column '${job.primary_column}' is empty`, job.primary_column);
        continue;
      }
      if (primary.length > (byLeadId ? MAX_LEAD_ID_LENGTH : MAX_VALUE_LENGTH)) {
        fail(`the primary identifier is longer than ${byLeadId ? MAX_LEAD_ID_LENGTH : MAX_VALUE_LENGTH} characters`, job.primary_column);
        continue;
      }
      const primaryAlias = byLeadId ? null : normaliseAlias(job.primary_kind as AliasKind, primary);
      let ref = byLeadId ? identity.refOfLeadId.get(primary) : identity.refOfAlias.get(aliasKey(primaryAlias!));
      if (ref !== undefined && identity.inactive.has(ref)) {
        fail(`lead ${identity.leadIdOfRef.get(ref)} is not active`, job.primary_column);
        continue;
      }
      const attach: Alias[] = [];
      const isNew = ref === undefined;
      if (ref === undefined) {
        ref = uuidv7();
        const leadId = byLeadId ? primary : `ld_${ref.replace(/-/g, '').slice(-20)}`;
        created.set(ref, leadId);
        identity.leadIdOfRef.set(ref, leadId);
        if (byLeadId) identity.refOfLeadId.set(primary, ref);
        else {
          identity.refOfAlias.set(aliasKey(primaryAlias!), ref);
          attach.push(primaryAlias!);
        }
      }
      const set: Record<string, unknown> = {};
      for (const [col, field] of fieldColumns) {
        const v = (r.values[col] ?? '').trim();
        if (v !== '') set[field] = v;
      }
      for (const [col, kind] of aliasColumns) {
        const raw = (r.values[col] ?? '').trim();
        if (!raw) continue;
        if (raw.length > MAX_VALUE_LENGTH) {
          fail(`the ${kind} alias is longer than ${MAX_VALUE_LENGTH} characters`, col);
          continue;
        }
        const alias = normaliseAlias(kind, raw);
        const owner = identity.refOfAlias.get(aliasKey(alias));
        if (owner === undefined) {
          identity.refOfAlias.set(aliasKey(alias), ref);
          attach.push(alias);
        } else if (owner !== ref) {
          fail(`${kind} alias '${alias.value}' belongs to another lead (${identity.leadIdOfRef.get(owner) ?? 'unknown'}); not moved`, col);
        }
      }
      ops.push({ ref, set, attach });
      if (isNew) outcome.created++;
      else outcome.updated++;
    }

    const existing = [...new Set(ops.map((o) => o.ref).filter((r) => !created.has(r)))];
    const leads = await this.repo.loadMany(Lead, existing, m);
    for (const ref of created.keys()) leads.set(ref, new Lead(ref));
    for (const op of ops) {
      const lead = leads.get(op.ref)!;
      if (!lead.exists) lead.create({ lead_id: created.get(op.ref)!, metadata: op.set, account_id: null, source: 'import' }, now);
      else if (Object.keys(op.set).length) lead.changeMetadata({ set: op.set, removed: [], replace: false, silent: true }, now);
      for (const a of op.attach) lead.attachAlias(a, now);
    }
    await this.repo.saveMany([...leads.values()], { org_id: job.org_id, unit_id: job.unit_id, actor: job.created_by, correlation_id: `lead-import-${job.id}` }, m);
    return outcome;
  }

  private async loadIdentity(unitId: string, aliases: Alias[], leadIds: string[], m: EntityManager) {
    const identity = { refOfLeadId: new Map<string, string>(), leadIdOfRef: new Map<string, string>(), refOfAlias: new Map<string, string>(), inactive: new Set<string>() };
    if (leadIds.length) {
      for (const r of await m.query(`SELECT id, lead_id, status FROM leads WHERE unit_id = $1 AND lead_id = ANY($2::text[])`, [unitId, [...new Set(leadIds)]])) {
        identity.refOfLeadId.set(r.lead_id, r.id);
        identity.leadIdOfRef.set(r.id, r.lead_id);
        if (r.status !== 'active') identity.inactive.add(r.id);
      }
    }
    if (aliases.length) {
      const rows = await m.query(
        `SELECT a.kind, a.value, a.lead_ref, l.lead_id, l.status FROM unnest($2::text[], $3::text[]) AS x(kind, value)
           JOIN lead_aliases a ON a.unit_id = $1 AND a.kind = x.kind AND a.value = x.value
           JOIN leads l ON l.id = a.lead_ref`,
        [unitId, aliases.map((a) => a.kind), aliases.map((a) => a.value)],
      );
      for (const r of rows) {
        identity.refOfAlias.set(`${r.kind}:${r.value}`, r.lead_ref);
        identity.leadIdOfRef.set(r.lead_ref, r.lead_id);
        if (r.status !== 'active') identity.inactive.add(r.lead_ref);
      }
    }
    return identity;
  }
}
