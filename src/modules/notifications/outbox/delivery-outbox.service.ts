import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { uuidv7 } from '../../../platform/event-store';
import { QueueName } from '../../../platform/queues';
import { ChannelRow } from '../channels/channel-views';
import { DELIVER_NOTIFICATION, DeliveryDestination, DeliveryKind, deliveryJobs, GivenUpStatus, OutboxEnqueue } from './delivery.types';

/** How long a firing waits for the queue to take a delivery job before the row is marked `enqueue_failed`. */
const ENQUEUE_TIMEOUT_MS = 2000;

interface Resolved {
  kind: DeliveryKind;
  channelId: string | null;
  target: Record<string, unknown>;
  secretSealed: string | null;
}

/**
 * THE delivery mechanism of every notification (NF-2): `enqueue(m, …)` writes one outbox row per destination in
 * the caller's transaction (the firing's), then hands the queue a job per new row. The row is the truth: a job
 * that starts before the commit sees the transaction's advisory lock and comes back shortly, then finds the row,
 * or nothing if it rolled back; a job the queue lost is re-enqueued by the sweeper; a job delivered
 * twice finds the row claimed or finished. A replayed firing writes nothing (dedupe key
 * = firing + destination).
 */
@Injectable()
export class DeliveryOutbox {
  private readonly logger = new Logger('DeliveryOutbox');

  constructor(
    @InjectQueue(QueueName.NotificationDelivery) private readonly queue: Queue,
    private readonly ds: DataSource,
  ) {}

  /** Returns the ids of the rows written (none when the firing was recorded before). */
  enqueue(m: EntityManager, n: OutboxEnqueue): Promise<string[]> {
    return this.enqueueMany(m, [n]);
  }

  /**
   * Many firings at once (a projection batch): the channels they name are read in one query, every row is written
   * by one multi-row insert, their advisory locks taken by one statement and their jobs handed over in one bulk
   * add, so a batch costs the same handful of round trips however many firings it holds.
   */
  async enqueueMany(m: EntityManager, list: OutboxEnqueue[], opts: { dispatch?: 'now' | 'after-commit' } = {}): Promise<string[]> {
    const channels = await this.channelsOf(m, list);
    const rows: Record<string, unknown>[] = [];
    for (const n of list) {
      const at = n.at.toISOString();
      for (const d of n.destinations) {
        const r = resolve(d, d.kind === 'channel' ? channels.get(channelKey(n.unit_id, d.channelId)) : undefined);
        if (!r) {
          this.logger.warn({ msg: 'notification channel not found; destination skipped', unit_id: n.unit_id, trigger_id: n.trigger_id, destination: d });
          continue;
        }
        rows.push({
          id: uuidv7(),
          org_id: n.org_id,
          unit_id: n.unit_id,
          // inline Slack destinations are told apart by target (a firing may post to a channel and DM the owner)
          dedupe_key: `${n.trigger_type}:${n.source_id}:${r.kind}:${r.channelId ?? (d.kind === 'slack' ? `${d.target}:${d.id}` : 'inline')}`,
          trigger_type: n.trigger_type,
          trigger_id: n.trigger_id,
          channel_id: r.channelId,
          source_id: n.source_id,
          lead_ref: n.lead_ref ?? null,
          lead_id: n.lead_id ?? null,
          kind: r.kind,
          target: r.target,
          secret_enc: r.secretSealed,
          payload: n.message,
          failure_stage: n.failure_stage ?? 'dispatch',
          at,
        });
      }
    }
    if (!rows.length) return [];
    const written = await selectRows<{ id: string }>(
      m,
      sql`INSERT INTO notification_deliveries (id, org_id, unit_id, dedupe_key, trigger_type, trigger_id, channel_id, source_id, lead_ref, lead_id, kind, target,
                                               secret_enc, payload, failure_stage, status, next_attempt_at, created_at, last_attempt_at)
          SELECT id, org_id, unit_id, dedupe_key, trigger_type, trigger_id, channel_id, source_id, lead_ref, lead_id, kind, target,
                 secret_enc, payload, failure_stage, 'pending', now(), at, at
            FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, org_id text, unit_id text, dedupe_key text, trigger_type text, trigger_id text,
                 channel_id uuid, source_id text, lead_ref text, lead_id text, kind text, target jsonb, secret_enc text, payload jsonb, failure_stage text,
                 at timestamptz)
          ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    );
    if (!written.length) return [];
    // rows keep their batch order for the queue (the insert's RETURNING order is not promised)
    const fresh = new Set(written.map((r) => r.id));
    const ids = rows.map((r) => r.id as string).filter((id) => fresh.has(id));
    // after-commit: no job exists before the commit (the sweeper waits a minute), so there is no writer to wait for
    if (opts.dispatch === 'after-commit') return ids;
    // held until the firing's transaction ends: a job waits on it, then finds the row (commit) or not (rollback)
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(id, 0)) FROM unnest($1::text[]) AS id`, [ids]);
    await this.dispatch(m, ids);
    return ids;
  }

  /**
   * For `enqueueMany(…, { dispatch: 'after-commit' })`: hands the queue the jobs of rows whose transaction has
   * committed, so no job runs into a firing still being written (a long projection batch would otherwise have its
   * jobs come back every few ms until it ends). A process that dies before this call leaves the rows to the sweeper.
   */
  dispatchCommitted(ids: string[]): Promise<void> {
    return ids.length ? this.dispatch(this.ds.manager, ids) : Promise.resolve();
  }

  /**
   * Operations: sends given-up rows again (`terminal_4xx`, `retry_exhausted`; the given ids, or up to `limit` of the
   * oldest with the given statuses), once their destination is fixed. Each row gets a fresh attempt budget, keeps its
   * id (the receiver's idempotency key) and its attempt history, and is queued at once. Returns the ids sent again.
   */
  async redrive(f: { ids?: string[]; statuses: GivenUpStatus[]; since?: Date; limit: number }): Promise<string[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected]
    const [rows] = await selectRows<{ id: string }[]>(
      this.ds,
      sql`UPDATE notification_deliveries d SET status = 'pending', attempts = 0, next_attempt_at = now(), claimed_until = NULL, claimed_by = NULL
            FROM (SELECT id FROM notification_deliveries
                   WHERE status = ANY(${f.statuses}::text[])
                     AND (${f.ids ?? null}::uuid[] IS NULL OR id = ANY(${f.ids ?? null}::uuid[]))
                     AND (${f.since?.toISOString() ?? null}::timestamptz IS NULL OR created_at >= ${f.since?.toISOString() ?? null}::timestamptz)
                   ORDER BY created_at, id LIMIT ${f.limit} FOR UPDATE SKIP LOCKED) x
           WHERE d.id = x.id
       RETURNING d.id::text AS id`,
    );
    const ids = rows.map((r) => r.id);
    if (ids.length) {
      this.logger.log({ msg: 'given-up notifications re-driven', count: ids.length, delivery_ids: ids.slice(0, 100) });
      await this.dispatch(this.ds.manager, ids);
    }
    return ids;
  }

  /** Hands the queue the rows' jobs (a batch's rows share one); a queue that does not take them leaves `enqueue_failed` records the sweeper retries. */
  private async dispatch(m: EntityManager, ids: string[]): Promise<void> {
    try {
      await withTimeout(this.queue.addBulk(deliveryJobs(ids).map((data) => ({ name: DELIVER_NOTIFICATION, data }))), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      const error = `enqueue failed: ${(err as Error).message}`.slice(0, 500);
      this.logger.error({ msg: 'notification enqueue failed', delivery_ids: ids, error });
      await m.query(`UPDATE notification_deliveries SET status = 'enqueue_failed', failure_stage = 'enqueue', last_error = $2 WHERE id = ANY($1::uuid[])`, [
        ids,
        error,
      ]);
    }
  }

  /** The saved channels the batch names, read once (scoped to each firing's OU). */
  private async channelsOf(m: EntityManager, list: OutboxEnqueue[]): Promise<Map<string, ChannelRow>> {
    const wanted = list.flatMap((n) => n.destinations.flatMap((d) => (d.kind === 'channel' ? [{ id: d.channelId, unit_id: n.unit_id }] : [])));
    if (!wanted.length) return new Map();
    const rows = await selectRows<ChannelRow>(
      m,
      sql`SELECT c.* FROM notification_channels c JOIN jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) AS w(id text, unit_id text)
             ON c.id::text = w.id AND c.unit_id = w.unit_id`,
    );
    return new Map(rows.map((c) => [channelKey(c.unit_id, c.id), c]));
  }
}

const channelKey = (unitId: string, channelId: string) => `${unitId}\u0000${channelId.toLowerCase()}`;

/** A channel destination is snapshotted into the row (a later edit of the channel does not change a queued delivery). */
function resolve(d: DeliveryDestination, channel: ChannelRow | undefined): Resolved | null {
  switch (d.kind) {
    case 'webhook':
      return { kind: 'webhook', channelId: null, target: { url: d.url }, secretSealed: d.authHeaderSealed ?? null };
    case 'teams':
      return { kind: 'teams', channelId: null, target: { url: d.url }, secretSealed: null };
    case 'email':
      return { kind: 'email', channelId: null, target: { recipients: d.recipients, subject_prefix: d.subjectPrefix ?? null }, secretSealed: null };
    case 'slack':
      return { kind: 'slack', channelId: null, target: d.target === 'user' ? { user_id: d.id } : { channel_id: d.id }, secretSealed: null };
    case 'channel': {
      const c = channel;
      if (!c) return null;
      const cfg = c.config as Record<string, string | undefined>;
      switch (c.type) {
        case 'webhook':
          return { kind: 'webhook', channelId: c.id, target: { url: cfg.url }, secretSealed: c.secret_enc };
        case 'teams':
          return { kind: 'teams', channelId: c.id, target: { url: cfg.webhook_url, channel_name: cfg.channel_name ?? null }, secretSealed: null };
        case 'email':
          return {
            kind: 'email',
            channelId: c.id,
            target: { recipients: splitRecipients(cfg.recipients ?? ''), subject_prefix: cfg.subject_prefix ?? null },
            secretSealed: null,
          };
        case 'slack':
          return { kind: 'slack', channelId: c.id, target: { channel_id: cfg.channel_id, channel_name: cfg.channel_name ?? null }, secretSealed: null };
      }
    }
  }
  return null;
}

export function splitRecipients(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`queue did not answer within ${ms} ms`)), ms))),
  ]);
}
