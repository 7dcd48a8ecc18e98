import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AuditEntry {
  org_id: string;
  unit_id: string | null;
  actor_type: string;
  actor_id: string;
  user_email: string | null;
  method: string;
  path: string;
  status: number;
  ip: string | null;
  latency_ms: number;
  verb: string;
  entity_type: string | null;
  entity_id: string | null;
  summary: string;
  request_id: string | null;
  created_at: string;
}

const FLUSH_MS = 100;
const MAX_BATCH = 500;

/**
 * Writes audit entries in small batches (one multi-row INSERT every 100 ms or 500 entries), so auditing
 * every /ingest call does not cost a round trip per request. Flushed on shutdown.
 */
@Injectable()
export class AuditWriter implements OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private buffer: AuditEntry[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  record(entry: AuditEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered; resolves when it is stored (tests and shutdown call it). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (!batch.length) return;
      try {
        await this.dataSource.query(
          `INSERT INTO audit_logs (org_id, unit_id, actor_type, actor_id, user_email, method, path, status, ip, latency_ms, verb, entity_type, entity_id, summary, request_id, created_at)
           SELECT org_id, unit_id, actor_type, actor_id, user_email, method, path, status, ip, latency_ms, verb, entity_type, entity_id, summary, request_id, created_at
             FROM jsonb_to_recordset($1::jsonb) AS x(org_id text, unit_id text, actor_type text, actor_id text, user_email text, method text, path text,
                  status int, ip text, latency_ms int, verb text, entity_type text, entity_id text, summary text, request_id text, created_at timestamptz)`,
          [JSON.stringify(batch)],
        );
      } catch (err) {
        this.logger.error({ msg: 'audit entries could not be written', entries: batch.length, err });
      }
    });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
