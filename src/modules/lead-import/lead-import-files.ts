import { Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock';
import { ScheduledJob } from '../../platform/scheduling';
import { selectOne, sql } from '../../platform/database';
import { unitOnly } from '../../platform/tenancy';

/** How long an uploaded file can be imported (LIMP-1). */
export const PREVIEW_TTL_MS = 3600_000;
/** After expiry the file row stays this long (its id answers 410), then it goes (404). */
export const EXPIRED_ROW_KEPT_MS = 24 * 3600_000;
/** Bytes per stored chunk. */
export const FILE_CHUNK_BYTES = 512 * 1024;

export interface StoredFile {
  id: string;
  org_id: string;
  unit_id: string;
  file_name: string;
  headers: string[];
  row_count: number;
  complete: boolean;
  purged: boolean;
  expires_at: Date;
}

/** Uploaded CSV files in PostgreSQL (chunked `bytea`), readable by any api or worker process. */
@Injectable()
export class LeadImportFiles {
  constructor(private readonly ds: DataSource) {}

  async begin(file: {
    id: string;
    org_id: string;
    unit_id: string;
    file_name: string;
    content_type: string | null;
    created_by: string | null;
    now: Date;
  }): Promise<void> {
    await this.ds.query(
      `INSERT INTO lead_import_files (id, org_id, unit_id, file_name, content_type, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        file.id,
        file.org_id,
        file.unit_id,
        file.file_name,
        file.content_type,
        file.created_by,
        file.now.toISOString(),
        new Date(file.now.getTime() + PREVIEW_TTL_MS).toISOString(),
      ],
    );
  }

  async appendChunk(fileId: string, seq: number, data: Buffer): Promise<void> {
    await this.ds.query(`INSERT INTO lead_import_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`, [fileId, seq, data]);
  }

  /** Marks the upload whole; only complete files can be imported. The hour of validity starts now. */
  async complete(fileId: string, info: { headers: string[]; row_count: number; size_bytes: number; now: Date }): Promise<Date> {
    const expires = new Date(info.now.getTime() + PREVIEW_TTL_MS);
    await this.ds.query(`UPDATE lead_import_files SET complete = true, headers = $2, row_count = $3, size_bytes = $4, expires_at = $5 WHERE id = $1`, [
      fileId,
      JSON.stringify(info.headers),
      info.row_count,
      info.size_bytes,
      expires.toISOString(),
    ]);
    return expires;
  }

  async discard(fileId: string): Promise<void> {
    await this.ds.query(`DELETE FROM lead_import_files WHERE id = $1`, [fileId]);
  }

  /** A complete file of the OU, or null. */
  async find(unitId: string, fileId: string): Promise<StoredFile | null> {
    const row = await selectOne<StoredFile>(
      this.ds,
      sql`SELECT id, org_id, unit_id, file_name, headers, row_count, complete, purged, expires_at FROM lead_import_files WHERE id = ${fileId} AND ${unitOnly(undefined, unitId)} AND complete`,
    );
    return row ? { ...row, expires_at: new Date(row.expires_at) } : null;
  }

  /** The file's bytes as a stream, one chunk row per read (never the whole file in memory). */
  stream(fileId: string): Readable {
    const ds = this.ds;
    let seq = 0;
    return new Readable({
      async read() {
        try {
          const [row] = await ds.query(`SELECT data FROM lead_import_file_chunks WHERE file_id = $1 AND seq = $2`, [fileId, seq++]);
          this.push(row ? (row.data as Buffer) : null);
        } catch (err) {
          this.destroy(err as Error);
        }
      },
    });
  }
}

/** Drops expired uploads: their bytes at once (unless an import still reads them), their rows a day later. */
@Injectable()
export class PurgeLeadImportFilesJob {
  private readonly log = new Logger('LeadImport');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  @ScheduledJob({ name: 'lead-import.purge-files', cron: '*/10 * * * *' })
  async run(): Promise<{ purged: number; removed: number }> {
    const now = this.clock.now();
    const purged = await this.ds.transaction(async (m) => {
      const ids: string[] = (
        await m.query(
          `SELECT f.id FROM lead_import_files f
            WHERE f.expires_at <= $1 AND NOT f.purged
              AND NOT EXISTS (SELECT 1 FROM lead_import_jobs j WHERE j.file_id = f.id AND j.status IN ('queued', 'running'))
            FOR UPDATE SKIP LOCKED`,
          [now.toISOString()],
        )
      ).map((r: { id: string }) => r.id);
      if (!ids.length) return 0;
      await m.query(`DELETE FROM lead_import_file_chunks WHERE file_id = ANY($1::text[])`, [ids]);
      await m.query(`UPDATE lead_import_files SET purged = true WHERE id = ANY($1::text[])`, [ids]);
      return ids.length;
    });
    // incomplete uploads older than the validity period were abandoned mid-way (the process died)
    const [, removed] = await this.ds.query(
      `DELETE FROM lead_import_files f
        WHERE ((f.purged AND f.expires_at <= $1) OR (NOT f.complete AND f.created_at <= $2))
          AND NOT EXISTS (SELECT 1 FROM lead_import_jobs j WHERE j.file_id = f.id AND j.status IN ('queued', 'running'))`,
      [new Date(now.getTime() - EXPIRED_ROW_KEPT_MS).toISOString(), new Date(now.getTime() - PREVIEW_TTL_MS).toISOString()],
    );
    if (purged || removed) this.log.log({ msg: 'expired lead import files purged', purged, removed });
    return { purged, removed: Number(removed) || 0 };
  }
}
