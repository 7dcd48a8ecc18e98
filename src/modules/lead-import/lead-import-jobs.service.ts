import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock';
import { ErrorDetail, isoOrNull, PageRequest, PlatformErrors } from '../../platform/http';
import { QueueName } from '../../platform/queues';
import { RequestContext, tenantKey, unitOnly } from '../../platform/tenancy';
import { ALIAS_KINDS } from '../leads';
import { METADATA_KEY } from './domain/csv-detection';
import { ImportJobDto, StartImportDto } from './http/lead-import.dto';
import { LeadImportFiles } from './lead-import-files';
import { LEAD_IMPORT_ATTEMPTS, LeadImportJobData, RUN_LEAD_IMPORT } from './lead-import.processor';
import { raw, selectOne, selectRows, sql } from '../../platform/database';
import { LeadImportErrors } from './lead-import.errors';

const JOB_COLUMNS = `id, file_id, file_name, status, total_rows, processed_rows, created_leads, updated_leads, error_count, errors, failure_reason, created_at, started_at, finished_at`;

/** A row of lead_import_jobs as JOB_COLUMNS reads it. */
interface ImportJobRecord {
  id: string;
  file_id: string;
  file_name: string;
  status: string;
  total_rows: number;
  processed_rows: number;
  created_leads: number;
  updated_leads: number;
  error_count: number;
  errors: ImportJobDto['errors'] | null;
  failure_reason: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

function toImportJobView(r: ImportJobRecord): ImportJobDto {
  return {
    job_id: r.id,
    status: r.status,
    file_id: r.file_id,
    file_name: r.file_name,
    total_rows: r.total_rows,
    processed_rows: r.processed_rows,
    created_leads: r.created_leads,
    updated_leads: r.updated_leads,
    error_count: r.error_count,
    errors: r.errors ?? [],
    failure_reason: r.failure_reason ?? null,
    created_at: isoOrNull(r.created_at)!,
    started_at: isoOrNull(r.started_at),
    finished_at: isoOrNull(r.finished_at),
  };
}

/** LIMP-2: starting an import run and reading runs, in the active OU. */
@Injectable()
export class LeadImportJobs {
  constructor(
    private readonly ds: DataSource,
    private readonly files: LeadImportFiles,
    private readonly clock: Clock,
    @InjectQueue(QueueName.LeadImport) private readonly queue: Queue,
  ) {}

  async start(body: StartImportDto): Promise<ImportJobDto> {
    const fieldMappings = body.field_mappings ?? {};
    const aliasMappings = body.alias_mappings ?? {};
    const problems: ErrorDetail[] = [];
    const targets = new Map<string, string>();
    for (const [col, field] of Object.entries(fieldMappings)) {
      if (typeof field !== 'string' || !METADATA_KEY.test(field)) {
        problems.push({ field: `field_mappings.${col}`, reason: 'must be a field name of 1–64 letters, digits, _ - . or spaces' });
      } else if (targets.has(field)) {
        problems.push({ field: `field_mappings.${col}`, reason: `field '${field}' is already mapped from column '${targets.get(field)}'` });
      } else targets.set(field, col);
    }
    for (const [col, kind] of Object.entries(aliasMappings)) {
      if (typeof kind !== 'string' || !(ALIAS_KINDS as readonly string[]).includes(kind)) {
        problems.push({ field: `alias_mappings.${col}`, reason: `must be one of ${ALIAS_KINDS.join(', ')}` });
      }
    }
    if (problems.length) throw PlatformErrors.error('validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);

    const { org_id, unit_id } = tenantKey();
    const file = await this.files.find(unit_id, body.file_id);
    if (!file) throw LeadImportErrors.notFound('file_not_found', 'import file');
    const now = this.clock.now();
    if (file.purged || file.expires_at.getTime() <= now.getTime()) {
      throw LeadImportErrors.error(
        'file_expired',
        `the uploaded file expired at ${file.expires_at.toISOString()}; upload it again with POST /leads/import/preview`,
      );
    }
    const headers = new Set(file.headers);
    const notAColumn = `is not a column of the file (columns: ${file.headers.join(', ')})`;
    if (!headers.has(body.primary_identifier.column)) problems.push({ field: 'primary_identifier.column', reason: notAColumn });
    for (const col of Object.keys(fieldMappings)) if (!headers.has(col)) problems.push({ field: `field_mappings.${col}`, reason: notAColumn });
    for (const col of Object.keys(aliasMappings)) if (!headers.has(col)) problems.push({ field: `alias_mappings.${col}`, reason: notAColumn });
    if (problems.length) throw PlatformErrors.error('validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);

    const id = `import_${randomBytes(16).toString('hex')}`;
    const [row] = await this.ds.query(
      `INSERT INTO lead_import_jobs (id, org_id, unit_id, file_id, file_name, primary_column, primary_kind, field_mappings, alias_mappings, total_rows, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${JOB_COLUMNS}`,
      [
        id,
        org_id,
        unit_id,
        file.id,
        file.file_name,
        body.primary_identifier.column,
        body.primary_identifier.kind,
        JSON.stringify(fieldMappings),
        JSON.stringify(aliasMappings),
        file.row_count,
        RequestContext.actor(),
        now.toISOString(),
      ],
    );
    try {
      await this.queue.add(RUN_LEAD_IMPORT, { import_job_id: id, unit_id } satisfies LeadImportJobData, { jobId: id, attempts: LEAD_IMPORT_ATTEMPTS });
    } catch (err) {
      await this.ds.query(`DELETE FROM lead_import_jobs WHERE id = $1`, [id]);
      throw PlatformErrors.error('queue_unavailable', `the import could not be queued: ${(err as Error).message}`);
    }
    const mapped = [...Object.entries(fieldMappings).map(([c, f]) => `${c}→${f}`), ...Object.entries(aliasMappings).map(([c, k]) => `${c}→${k} alias`)];
    RequestContext.describe({
      verb: 'import',
      entityType: 'lead_import_job',
      entityId: id,
      summary: `started a lead import of '${file.file_name}' (${file.row_count} row(s)) matching leads by ${body.primary_identifier.kind} from column '${body.primary_identifier.column}'${mapped.length ? `; mapped ${mapped.join(', ')}` : ''}`,
    });
    return toImportJobView(row);
  }

  async list(page: PageRequest): Promise<{ jobs: ImportJobDto[]; total: number }> {
    const rows = await selectRows<ImportJobRecord & { total: string }>(
      this.ds,
      sql`SELECT ${raw(JOB_COLUMNS)}, count(*) OVER () AS total FROM lead_import_jobs WHERE ${unitOnly()} ORDER BY created_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    );
    const total = rows.length
      ? Number(rows[0].total)
      : page.offset
        ? (await selectOne<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM lead_import_jobs WHERE ${unitOnly()}`))!.n
        : 0;
    return { jobs: rows.map(toImportJobView), total };
  }

  async get(jobId: string): Promise<ImportJobDto> {
    const row = await selectOne<ImportJobRecord>(this.ds, sql`SELECT ${raw(JOB_COLUMNS)} FROM lead_import_jobs WHERE id = ${jobId} AND ${unitOnly()}`);
    if (!row) throw LeadImportErrors.notFound('job_not_found', 'import job');
    return toImportJobView(row);
  }
}
