import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { uuidv7 } from '../../../platform/event-store';
import { MetricsService } from '../../../platform/metrics';
import { QueueName } from '../../../platform/queues';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { DeliverySender, SendOutcome } from './delivery-sender';
import { DELIVER_NOTIFICATION, DeliverNotificationData, DeliveryKind, NotificationMessage } from './delivery.types';

interface DeliveryRow {
  id: string;
  org_id: string;
  unit_id: string;
  trigger_type: string;
  trigger_id: string | null;
  channel_id: string | null;
  source_id: string;
  lead_ref: string | null;
  kind: DeliveryKind;
  created_at: Date;
  target: Record<string, unknown>;
  secret_enc: string | null;
  payload: NotificationMessage;
  attempts: number;
}

/** How soon a job whose row is still being written (the firing's transaction is open) looks again. */
const WRITER_BUSY_DELAY_MS = 25;

/** NF-2 backoff: the first retry after the base delay, then 4, 20 and 60 times it (30 s, 2 min, 10 min, 30 min by default). */
const BACKOFF_FACTORS = [1, 4, 20, 60];
export function retryDelayMs(baseMs: number, attemptsMade: number): number {
  return baseMs * BACKOFF_FACTORS[Math.min(attemptsMade, BACKOFF_FACTORS.length) - 1];
}

/**
 * Drains the outbox: claims the row (so a job delivered twice, or a sweeper's extra job, never sends it twice),
 * sends it, records the attempt and the row's new state in one transaction, and schedules the next attempt with
 * backoff. A worker killed mid-send leaves a claim that expires; the sweeper then re-enqueues the row.
 */
@Processor(QueueName.NotificationDelivery)
@Injectable()
export class NotificationDeliveryJob {
  private readonly logger = new Logger('NotificationDelivery');

  constructor(
    private readonly ds: DataSource,
    private readonly sender: DeliverySender,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.NotificationDelivery) private readonly queue: Queue,
  ) {}

  @Process({ name: DELIVER_NOTIFICATION, concurrency: 16 })
  async handle(job: Job<DeliverNotificationData>): Promise<{ outcome: string }> {
    const id = job.data.delivery_id;
    for (let round = 0; round < 2; round++) {
      const row = await this.claim(id);
      if (row) {
        const outcome = await this.sender.send({
          deliveryId: row.id,
          orgId: row.org_id,
          unitId: row.unit_id,
          kind: row.kind,
          target: row.target,
          secretSealed: row.secret_enc,
          message: row.payload,
        });
        return { outcome: await this.record(row, outcome) };
      }
      // not claimable: not visible yet (the firing's transaction holds the row's advisory lock until it ends), gone
      // (rolled back, lead erased), or finished / claimed by another worker / not due
      const [{ exists, free }] = await this.ds.query(
        `SELECT EXISTS (SELECT 1 FROM notification_deliveries WHERE id = $1) AS exists, pg_try_advisory_xact_lock_shared(hashtextextended($1, 0)) AS free`,
        [id],
      );
      if (!exists && !free) {
        // come back shortly rather than hold a connection while the writer finishes
        await this.queue.add(DELIVER_NOTIFICATION, { delivery_id: id } satisfies DeliverNotificationData, { delay: WRITER_BUSY_DELAY_MS });
        return { outcome: 'writer_busy' };
      }
      if (!exists) return { outcome: 'gone' };
      // it exists: it may have become visible just after the claim looked, so claim once more
    }
    return { outcome: 'skipped' };
  }

  /** Takes the row for one send (a lease that outlives the send's time limits), or null. */
  private async claim(id: string): Promise<DeliveryRow | null> {
    const leaseMs = this.config.env.OUTBOUND_TIMEOUT_MS * 2 + 30_000;
    const [claimed] = await selectRows<DeliveryRow[]>(
      this.ds,
      sql`UPDATE notification_deliveries SET claimed_until = now() + make_interval(secs => ${leaseMs / 1000})
           WHERE id = ${id} AND status IN ('pending', 'enqueue_failed') AND next_attempt_at <= now() + interval '1 second'
             AND (claimed_until IS NULL OR claimed_until < now())
       RETURNING id, org_id, unit_id, trigger_type, trigger_id, channel_id, source_id, lead_ref, kind, created_at, target, secret_enc, payload, attempts`,
    );
    return claimed?.[0] ?? null;
  }

  private async record(row: DeliveryRow, o: SendOutcome): Promise<string> {
    const attempts = row.attempts + 1;
    const max = this.config.env.NOTIFICATION_MAX_ATTEMPTS;
    const status = o.ok ? 'delivered' : !o.retry ? 'terminal_4xx' : attempts >= max ? 'retry_exhausted' : 'pending';
    const delayMs = status === 'pending' ? retryDelayMs(this.config.env.NOTIFICATION_RETRY_BASE_MS, attempts) : 0;
    const now = this.clock.now().toISOString();
    // the attempt and the row's new state in one statement (one round trip, atomic)
    await this.ds.query(
      `WITH attempt AS (
         INSERT INTO notification_attempts (id, org_id, unit_id, delivery_id, trigger_type, trigger_id, channel_id, source_id, lead_ref, destination, status, http_status, error, attempted_at)
         VALUES ($8, $9, $10, $1, $11, $12, $13, $14, $15, $16, $17, $4, $18, $6))
       UPDATE notification_deliveries SET status = $2, attempts = $3, http_status = $4, last_error = $5, last_attempt_at = $6, claimed_until = NULL,
              delivered_at = CASE WHEN $2 = 'delivered' THEN $6::timestamptz END, next_attempt_at = now() + make_interval(secs => $7::double precision / 1000)
        WHERE id = $1`,
      [
        row.id,
        status,
        attempts,
        o.httpStatus,
        o.ok ? null : o.error,
        now,
        delayMs,
        uuidv7(),
        row.org_id,
        row.unit_id,
        row.trigger_type,
        row.trigger_id,
        row.channel_id,
        row.source_id,
        row.lead_ref,
        row.kind,
        o.ok ? 'delivered' : 'failed',
        o.error,
      ],
    );
    this.metrics.notificationAttempts.inc({ kind: row.kind, outcome: status === 'pending' ? 'retry' : status });
    if (o.ok) this.metrics.notificationLatency.observe({ kind: row.kind }, Math.max(0, (Date.now() - new Date(row.created_at).getTime()) / 1000));
    if (o.ok && row.kind === 'slack') this.metrics.eventToSlackLatency.observe(Math.max(0, (Date.now() - eventIngestedAt(row).getTime()) / 1000));
    if (status === 'pending') await this.queue.add(DELIVER_NOTIFICATION, { delivery_id: row.id } satisfies DeliverNotificationData, { delay: delayMs });
    const log = {
      msg: 'notification delivery attempt',
      delivery_id: row.id,
      kind: row.kind,
      trigger_id: row.trigger_id,
      attempt: attempts,
      status,
      error: o.error,
    };
    if (o.ok) this.logger.debug(log);
    else this.logger.warn({ ...log, http_status: o.httpStatus, retry_in_ms: delayMs || undefined });
    return status;
  }
}

/**
 * When the event behind a notification was ingested: the payload's `event.received_at` when the firing carries it,
 * else the firing's time (the row's created_at: firings are stamped with the event's recorded time).
 */
export function eventIngestedAt(row: { created_at: Date; payload: NotificationMessage }): Date {
  const event = row.payload?.body?.event as { received_at?: unknown } | undefined;
  const received = typeof event?.received_at === 'string' ? new Date(event.received_at) : null;
  return received && !Number.isNaN(received.getTime()) ? received : new Date(row.created_at);
}

/** Re-enqueues outbox rows that are due and unclaimed but have no live job (a lost job, a queue that was down). */
@Injectable()
export class OutboxSweeper {
  private readonly logger = new Logger('OutboxSweeper');

  constructor(
    private readonly ds: DataSource,
    @InjectQueue(QueueName.NotificationDelivery) private readonly queue: Queue,
  ) {}

  @ScheduledJob({ name: 'notifications.sweep-outbox', cron: '* * * * *' })
  async run(ctx: JobContext): Promise<JobSummary> {
    const requeued = await this.requeueDue(60_000, ctx);
    return { requeued };
  }

  /** Rows due for at least `graceMs` (their own job would have run by then) and not claimed by a live worker. */
  async requeueDue(graceMs: number, ctx?: JobContext): Promise<number> {
    const rows = await selectRows<{ id: string }>(
      this.ds,
      sql`SELECT id FROM notification_deliveries
           WHERE status IN ('pending', 'enqueue_failed') AND next_attempt_at <= now() - make_interval(secs => ${graceMs / 1000})
             AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY next_attempt_at LIMIT 5000`,
    );
    let done = 0;
    for (const r of rows) {
      await this.queue.add(DELIVER_NOTIFICATION, { delivery_id: r.id } satisfies DeliverNotificationData);
      ctx?.progress(++done, rows.length);
    }
    if (rows.length) this.logger.log({ msg: 'outbox rows re-enqueued', count: rows.length });
    return rows.length;
  }
}
