import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { joinSql, selectOne, selectRows, sql } from '../../../platform/database';
import { PlatformErrors, decodeCursor, encodeCursor, isoOrNull } from '../../../platform/http';
import { unitScope } from '../../../platform/tenancy';
import { DeliveryStatus, FailureStage, TriggerType } from '../outbox/delivery.types';

export interface FailureFilter {
  channel_id?: string;
  trigger_id?: string;
  trigger_type?: TriggerType;
  statuses: DeliveryStatus[];
  failure_stage?: FailureStage;
  since?: string;
  limit: number;
  cursor?: string;
}

interface FailureRow {
  id: string;
  channel_id: string | null;
  trigger_id: string | null;
  trigger_type: TriggerType;
  source_id: string;
  lead_id: string | null;
  kind: string;
  status: DeliveryStatus;
  failure_stage: FailureStage;
  attempts: number;
  http_status: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date;
  /** last_attempt_at as PostgreSQL writes it (microseconds kept for the cursor) */
  position: string;
}

export interface FailureView {
  id: string;
  channel_id: string | null;
  trigger_id: string | null;
  trigger_type: TriggerType;
  source_id: string;
  lead_id: string | null;
  destination: string;
  status: DeliveryStatus;
  failure_stage: FailureStage;
  attempts: number;
  http_status: number | null;
  last_error: string | null;
  created_at: string;
  last_attempt_at: string;
}

const WEEK_MS = 7 * 86_400_000;
const POSITION = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** NF-1: the notification records of the active OU, newest attempt first, keyset-paginated by an opaque cursor. */
@Injectable()
export class NotificationFailures {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(f: FailureFilter): Promise<{ items: FailureView[]; total_count: number; next_cursor: string | null }> {
    const since = f.since ?? new Date(this.clock.now().getTime() - WEEK_MS).toISOString();
    const where = [unitScope(), sql`status = ANY(${f.statuses})`, sql`last_attempt_at >= ${since}`];
    if (f.channel_id) where.push(sql`channel_id = ${f.channel_id}`);
    if (f.trigger_id) where.push(sql`trigger_id = ${f.trigger_id}`);
    if (f.trigger_type) where.push(sql`trigger_type = ${f.trigger_type}`);
    if (f.failure_stage) where.push(sql`failure_stage = ${f.failure_stage}`);
    const filtered = joinSql(where);
    const total = await selectOne<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM notification_deliveries WHERE ${filtered}`);
    const page = [...where];
    if (f.cursor) {
      const c = decodeCursor(f.cursor, ['t', 'id']);
      if (!POSITION.test(c.t) || !UUID.test(c.id))
        throw PlatformErrors.error('validation_failed', 'cursor is not a cursor this list returned', [{ field: 'cursor', reason: 'invalid cursor' }]);
      page.push(sql`(last_attempt_at, id) < (${c.t}::timestamptz, ${c.id}::uuid)`);
    }
    const rows = await selectRows<FailureRow>(
      this.ds,
      sql`SELECT id, channel_id, trigger_id, trigger_type, source_id, lead_id, kind, status, failure_stage, attempts, http_status, last_error, created_at,
                 last_attempt_at, last_attempt_at::text AS position
            FROM notification_deliveries WHERE ${joinSql(page)} ORDER BY last_attempt_at DESC, id DESC LIMIT ${f.limit + 1}`,
    );
    const more = rows.length > f.limit;
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ position: _position, kind, created_at, last_attempt_at, ...r }) => ({
        ...r,
        destination: kind,
        created_at: isoOrNull(created_at)!,
        last_attempt_at: isoOrNull(last_attempt_at)!,
      })),
      total_count: total!.n,
      next_cursor: more && last ? encodeCursor({ t: last.position, id: last.id }) : null,
    };
  }
}
