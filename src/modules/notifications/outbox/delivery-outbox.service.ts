import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { EntityManager } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { uuidv7 } from '../../../platform/event-store';
import { QueueName } from '../../../platform/queues';
import { ChannelRow } from '../channels/channel-views';
import { DELIVER_NOTIFICATION, DeliverNotificationData, DeliveryDestination, DeliveryKind, OutboxEnqueue } from './delivery.types';

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

  constructor(@InjectQueue(QueueName.NotificationDelivery) private readonly queue: Queue) {}

  /** Returns the ids of the rows written (none when the firing was recorded before). */
  async enqueue(m: EntityManager, n: OutboxEnqueue): Promise<string[]> {
    const ids: string[] = [];
    for (const d of n.destinations) {
      const r = await this.resolve(m, n.unit_id, d);
      if (!r) {
        this.logger.warn({ msg: 'notification channel not found; destination skipped', unit_id: n.unit_id, trigger_id: n.trigger_id, destination: d });
        continue;
      }
      // inline Slack destinations are told apart by target (a firing may post to a channel and DM the owner)
      const dedupe = `${n.trigger_type}:${n.source_id}:${r.kind}:${r.channelId ?? (d.kind === 'slack' ? `${d.target}:${d.id}` : 'inline')}`;
      const at = n.at.toISOString();
      const [row] = await selectRows<{ id: string }>(
        m,
        sql`INSERT INTO notification_deliveries (id, org_id, unit_id, dedupe_key, trigger_type, trigger_id, channel_id, source_id, lead_ref, lead_id, kind, target,
                                                 secret_enc, payload, failure_stage, status, next_attempt_at, created_at, last_attempt_at)
            VALUES (${uuidv7()}, ${n.org_id}, ${n.unit_id}, ${dedupe}, ${n.trigger_type}, ${n.trigger_id}, ${r.channelId}, ${n.source_id}, ${n.lead_ref ?? null},
                    ${n.lead_id ?? null}, ${r.kind}, ${JSON.stringify(r.target)}, ${r.secretSealed}, ${JSON.stringify(n.message)},
                    ${n.failure_stage ?? 'dispatch'}, 'pending', now(), ${at}, ${at})
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      );
      if (!row) continue;
      // held until the firing's transaction ends: the job waits on it, then finds the row (commit) or not (rollback)
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [row.id]);
      ids.push(row.id);
    }
    for (const id of ids) await this.dispatch(m, id);
    return ids;
  }

  /** Hands the queue a job for a row; a queue that does not take it leaves an `enqueue_failed` record the sweeper retries. */
  private async dispatch(m: EntityManager, id: string): Promise<void> {
    try {
      await withTimeout(this.queue.add(DELIVER_NOTIFICATION, { delivery_id: id } satisfies DeliverNotificationData), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      const error = `enqueue failed: ${(err as Error).message}`.slice(0, 500);
      this.logger.error({ msg: 'notification enqueue failed', delivery_id: id, error });
      await m.query(`UPDATE notification_deliveries SET status = 'enqueue_failed', failure_stage = 'enqueue', last_error = $2 WHERE id = $1`, [id, error]);
    }
  }

  /** A channel destination is snapshotted into the row (a later edit of the channel does not change a queued delivery). */
  private async resolve(m: EntityManager, unitId: string, d: DeliveryDestination): Promise<Resolved | null> {
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
        const c = await selectOne<ChannelRow>(m, sql`SELECT * FROM notification_channels WHERE id = ${d.channelId} AND unit_id = ${unitId}`);
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
  }
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
