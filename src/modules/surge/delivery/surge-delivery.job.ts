import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { uuidv7 } from '../../../platform/event-store';
import { QueueName } from '../../../platform/queues';
import { ServerKeys, openSecret } from '../../../platform/security';
import { execute, selectOne, sql } from '../../../platform/database';
import { isoOrNull } from '../../../platform/http';
import { DELIVER_SURGE, DeliverSurgeData } from '../projections/surge-detection.projection';

export const DELIVERY_TIMEOUT_MS = 5000;

/** A `surge_events` row with its trigger's destinations (the trigger columns are null once it is deleted). */
interface FiringRow {
  id: string;
  org_id: string;
  unit_id: string;
  trigger_id: string;
  lead_id: string;
  event_id: string;
  event_type: string;
  event_count: number;
  channel: string;
  window_start: Date | string;
  window_end: Date | string;
  fired_at: Date | string;
  trigger_name: string | null;
  webhook_url: string | null;
  webhook_auth_header_enc: string | null;
  teams_webhook_url: string | null;
  window_seconds: number | null;
  threshold_count: number | null;
}

interface Destination {
  kind: 'webhook' | 'teams';
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Sends one firing to the trigger's HTTP destinations (legacy webhook_url with its auth header, Teams incoming
 * webhook): POST JSON, 5 s timeout, one attempt each, every attempt recorded in `surge_deliveries`.
 * Slack, email and notification channels are delivered by the notifications feature (not built yet).
 */
@Processor(QueueName.SurgeDelivery)
export class SurgeDeliveryJob {
  private readonly logger = new Logger('SurgeDelivery');

  constructor(
    private readonly ds: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
  ) {}

  @Process({ name: DELIVER_SURGE, concurrency: 4 })
  async handle(job: Job<DeliverSurgeData>): Promise<{ attempts: number }> {
    const ev = await selectOne<FiringRow>(
      this.ds,
      sql`SELECT e.*, t.name AS trigger_name, t.webhook_url, t.webhook_auth_header_enc, t.teams_webhook_url, t.window_seconds, t.threshold_count
            FROM surge_events e LEFT JOIN surge_triggers t ON t.id = e.trigger_id WHERE e.id = ${job.data.surge_event_id}`,
    );
    // the projection enqueues inside its transaction: until it commits the row is not visible (Bull retries)
    if (!ev) throw new Error(`surge event ${job.data.surge_event_id} is not visible yet`);
    if (!ev.trigger_name) return { attempts: 0 }; // trigger deleted since
    const done = await selectOne(this.ds, sql`SELECT 1 FROM surge_deliveries WHERE surge_event_id = ${ev.id} LIMIT 1`);
    if (done) return { attempts: 0 }; // a retried job whose attempts were already made
    const payload = {
      type: 'surge',
      trigger: { id: ev.trigger_id, name: ev.trigger_name, window_seconds: ev.window_seconds, threshold_count: ev.threshold_count },
      lead: { id: ev.lead_id },
      event: { id: ev.event_id, event_type: ev.event_type, channel: ev.channel },
      surge: { id: ev.id, event_count: ev.event_count, window_start: isoOrNull(ev.window_start)!, window_end: isoOrNull(ev.window_end)! },
      why: `Surging: ${ev.event_count} ${ev.event_type} events in ${ev.window_seconds} s`,
      fired_at: isoOrNull(ev.fired_at)!,
    };
    const destinations: Destination[] = [];
    if (ev.webhook_url) {
      const headers: Record<string, string> = {};
      if (ev.webhook_auth_header_enc) headers.Authorization = openSecret(this.keys.fieldEncryptionKey, ev.webhook_auth_header_enc);
      destinations.push({ kind: 'webhook', url: ev.webhook_url, headers, body: payload });
    }
    if (ev.teams_webhook_url) {
      destinations.push({
        kind: 'teams',
        url: ev.teams_webhook_url,
        headers: {},
        body: { text: `**${ev.trigger_name}** — lead ${ev.lead_id}: ${payload.why}`, surge: payload },
      });
    }
    for (const d of destinations) {
      const outcome = await this.post(d);
      await execute(
        this.ds,
        sql`INSERT INTO surge_deliveries (id, org_id, unit_id, trigger_id, surge_event_id, destination, status, http_status, error, attempted_at)
            VALUES (${uuidv7()}, ${ev.org_id}, ${ev.unit_id}, ${ev.trigger_id}, ${ev.id}, ${d.kind}, ${outcome.ok ? 'delivered' : 'failed'}, ${outcome.status},
                    ${outcome.error}, ${this.clock.now().toISOString()})`,
      );
      if (!outcome.ok)
        this.logger.warn({ msg: 'surge delivery failed', trigger_id: ev.trigger_id, destination: d.kind, http_status: outcome.status, error: outcome.error });
    }
    return { attempts: destinations.length };
  }

  private async post(d: Destination): Promise<{ ok: boolean; status: number | null; error: string | null }> {
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'kenbun-surge/1', ...d.headers },
        body: JSON.stringify(d.body),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? { ok: true, status: res.status, error: null } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const e = err as Error;
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      return {
        ok: false,
        status: null,
        error: timedOut
          ? `timeout after ${DELIVERY_TIMEOUT_MS / 1000}s`
          : `${e.message}${(e.cause as Error)?.message ? `: ${(e.cause as Error).message}` : ''}`.slice(0, 500),
      };
    }
  }
}
