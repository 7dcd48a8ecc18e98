import { Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent, nameUuid } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { LeadEvent, LeadEventRecordedPayload, LeadStreamType, RECORDED_EVENT_ACTIVATION_FIELDS } from '../../leads';
import { DeliveryDestination, DeliveryOutbox, OwnerNotifications } from '../../notifications';
import { shouldFire, windowEndingAt } from '../domain/surge-window';
import { selectRows, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';

interface TriggerRow {
  id: string;
  name: string;
  event_type_key: string;
  window_seconds: number;
  threshold_count: number;
  created_at: Date;
  notification_channel_id: string | null;
  webhook_url: string | null;
  webhook_auth_header_enc: string | null;
  teams_webhook_url: string | null;
  emails: string[];
  slack_target_kind: 'channel' | 'user' | null;
  slack_target_id: string | null;
  notify_owner: boolean;
}

interface Firing {
  id: string;
  count: number;
  window: { start: Date; end: Date };
}

/** Where a firing goes: the channel first (preferred, SUR-1), then the inline destinations (a Slack target through the OU's Slack connection). */
function destinationsOf(t: TriggerRow): { stage: 'dispatch' | 'surge_webhook'; destination: DeliveryDestination }[] {
  const out: { stage: 'dispatch' | 'surge_webhook'; destination: DeliveryDestination }[] = [];
  if (t.notification_channel_id) out.push({ stage: 'dispatch', destination: { kind: 'channel', channelId: t.notification_channel_id } });
  if (t.webhook_url) out.push({ stage: 'surge_webhook', destination: { kind: 'webhook', url: t.webhook_url, authHeaderSealed: t.webhook_auth_header_enc } });
  if (t.teams_webhook_url) out.push({ stage: 'dispatch', destination: { kind: 'teams', url: t.teams_webhook_url } });
  if (t.emails.length) out.push({ stage: 'dispatch', destination: { kind: 'email', recipients: t.emails } });
  if (t.slack_target_id) out.push({ stage: 'dispatch', destination: { kind: 'slack', target: t.slack_target_kind ?? 'channel', id: t.slack_target_id } });
  return out;
}

/** The firing id is derived from (trigger, event): a replay finds the firing it already recorded. */
export function surgeEventId(triggerId: string, eventId: string): string {
  return nameUuid(`kenbun:surge:${triggerId}:${eventId}`);
}

/**
 * Live surge detection (SUR-4) over the Lead streams. For every kept event (not suppressed, scope `activate`,
 * skip_triggers false) and every active trigger of its OU that matches its type, the event time is remembered
 * per trigger and lead (`surge_recent_events`, pruned to the window); when the window count reaches the threshold
 * and the trigger has not fired for the lead within the window, a `surge_events` row is recorded and its
 * notifications written to the delivery outbox in the same transaction (the outbox's worker, not the projection,
 * talks to the outside world).
 *
 * A trigger only watches events recorded after it was created, so a rebuild replaying history never raises
 * alerts for events that happened before the trigger existed; firings already recorded are found by id and not
 * sent again.
 */
@ReadModelProjection()
@Injectable()
export class SurgeDetectionProjection implements Projection {
  readonly name = 'surge_detection';
  readonly eventTypes = [LeadEvent.EventRecorded];
  readonly tables = ['surge_recent_events', 'surge_lead_state'];
  /** of a recorded event what detection and the notification read: not its contributions, the bulk of the body */
  readonly payloadFields = { [LeadEvent.EventRecorded]: [...RECORDED_EVENT_ACTIVATION_FIELDS, 'metadata'] };

  constructor(
    private readonly outbox: DeliveryOutbox,
    @Optional() private readonly owners?: OwnerNotifications,
  ) {}

  /**
   * No active surge trigger anywhere: the runner moves past the events without reading them. Nothing is lost: a trigger
   * only watches events recorded after it was created. One probe of the partial index of active triggers per batch.
   */
  async wantsEvents(m: EntityManager): Promise<boolean> {
    const [{ any }] = (await m.query(`SELECT EXISTS (SELECT 1 FROM surge_triggers WHERE active) AS any`)) as { any: boolean }[];
    return any;
  }

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const triggersByUnit = new Map<string, TriggerRow[]>();
    for (const e of events) {
      if (e.streamType !== LeadStreamType) continue;
      const p = e.payload as LeadEventRecordedPayload;
      const unitId = e.metadata.unit_id;
      if (!unitId || p.suppression || p.skip_triggers || p.scope !== 'activate') continue;
      let triggers = triggersByUnit.get(unitId);
      if (!triggers) {
        triggers = await selectRows<TriggerRow>(
          m,
          sql`SELECT id, name, event_type_key, window_seconds, threshold_count, created_at, notification_channel_id, webhook_url, webhook_auth_header_enc,
                     teams_webhook_url, emails, slack_target_kind, slack_target_id, notify_owner
                FROM surge_triggers WHERE ${unitOnly(undefined, unitId)} AND active ORDER BY id`,
        );
        triggersByUnit.set(unitId, triggers!);
      }
      const at = new Date(p.occurred_at);
      for (const t of triggers!) {
        if (t.event_type_key && t.event_type_key !== p.event_type_key) continue;
        if (e.recordedAt < new Date(t.created_at)) continue;
        const firing = await this.step(m, t, e, p, at);
        if (firing) await this.notify(m, t, e, p, firing);
      }
    }
  }

  /**
   * The firing's notifications, written to the outbox in the batch's transaction (NF-2 webhook body), and with
   * `notify_owner` a Slack DM to the lead's owner within their preferences (OWN-1..4, `surge_detected`).
   */
  private async notify(m: EntityManager, t: TriggerRow, e: StoredEvent, p: LeadEventRecordedPayload, f: Firing): Promise<void> {
    const targets = destinationsOf(t);
    const why = `Surging: ${f.count} ${p.event_type} events in ${t.window_seconds} s`;
    const body = {
      type: 'surge',
      trigger: { id: t.id, name: t.name, window_seconds: t.window_seconds, threshold_count: t.threshold_count },
      lead: { id: p.lead_id },
      event: { id: p.event_id, event_type: p.event_type, channel: p.channel, timestamp: p.occurred_at, metadata: p.metadata ?? {} },
      surge: { id: f.id, event_count: f.count, window_start: f.window.start.toISOString(), window_end: f.window.end.toISOString() },
      why,
      fired_at: e.recordedAt.toISOString(),
    };
    const common = {
      org_id: e.metadata.org_id!,
      unit_id: e.metadata.unit_id!,
      trigger_type: 'surge' as const,
      trigger_id: t.id,
      source_id: f.id,
      lead_ref: e.streamId,
      lead_id: p.lead_id,
      message: { title: `${t.name} — lead ${p.lead_id}`, why, body },
      at: e.recordedAt,
    };
    if (t.notify_owner && this.owners) {
      const { lead_id: _leadId, ...owner } = common;
      await this.owners.notifyOwner(m, {
        ...owner,
        event_type: 'surge_detected',
        message: { title: `Surge detected: ${t.name} — lead ${p.lead_id}`, why, body: { ...body, type: 'surge_detected' } },
      });
    }
    // one call per failure stage: legacy webhook_url deliveries are filed under `surge_webhook` (NF-1)
    for (const stage of ['dispatch', 'surge_webhook'] as const) {
      const destinations = targets.filter((x) => x.stage === stage).map((x) => x.destination);
      if (destinations.length) await this.outbox.enqueue(m, { ...common, failure_stage: stage, destinations });
    }
  }

  /** One event for one trigger; returns a new firing. */
  private async step(m: EntityManager, t: TriggerRow, e: StoredEvent, p: LeadEventRecordedPayload, at: Date): Promise<Firing | null> {
    const windowMs = t.window_seconds * 1000;
    const lead = e.streamId;
    await m.query(`INSERT INTO surge_recent_events (trigger_id, lead_ref, event_id, occurred_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      t.id,
      lead,
      p.event_id,
      at.toISOString(),
    ]);
    const [{ count, newest }] = await m.query(
      `SELECT count(*) FILTER (WHERE occurred_at BETWEEN $3::timestamptz - make_interval(secs => $4) AND $3::timestamptz)::int AS count,
              max(occurred_at) AS newest
         FROM surge_recent_events WHERE trigger_id = $1 AND lead_ref = $2`,
      [t.id, lead, at.toISOString(), t.window_seconds],
    );
    // keep only what a later event can still count
    await m.query(`DELETE FROM surge_recent_events WHERE trigger_id = $1 AND lead_ref = $2 AND occurred_at < $3::timestamptz - make_interval(secs => $4)`, [
      t.id,
      lead,
      new Date(newest).toISOString(),
      t.window_seconds,
    ]);
    const [state] = await m.query(`SELECT last_fired_at FROM surge_lead_state WHERE trigger_id = $1 AND lead_ref = $2`, [t.id, lead]);
    const rule = { windowMs, threshold: t.threshold_count };
    if (!shouldFire(rule, at, count, state ? new Date(state.last_fired_at) : null)) return null;
    await m.query(
      `INSERT INTO surge_lead_state (trigger_id, lead_ref, last_fired_at) VALUES ($1, $2, $3)
       ON CONFLICT (trigger_id, lead_ref) DO UPDATE SET last_fired_at = excluded.last_fired_at`,
      [t.id, lead, at.toISOString()],
    );
    const w = windowEndingAt(rule, at, count);
    const id = surgeEventId(t.id, p.event_id);
    const inserted = await m.query(
      `INSERT INTO surge_events (id, org_id, unit_id, trigger_id, lead_ref, lead_id, event_id, event_type, event_count, window_start, window_end, channel, fired_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        id,
        e.metadata.org_id,
        e.metadata.unit_id,
        t.id,
        lead,
        p.lead_id,
        p.event_id,
        p.event_type,
        count,
        w.start.toISOString(),
        w.end.toISOString(),
        p.channel,
        e.recordedAt.toISOString(),
      ],
    );
    return inserted.length ? { id, count, window: w } : null;
  }
}
