import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { EntityManager } from 'typeorm';
import { StoredEvent, nameUuid } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { QueueName } from '../../../platform/queues';
import { LeadEvent, LeadEventRecordedPayload, LeadStreamType } from '../../leads';
import { shouldFire, windowEndingAt } from '../domain/surge-window';
import { selectRows, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';

export const DELIVER_SURGE = 'surge.deliver';

export interface DeliverSurgeData {
  surge_event_id: string;
}

interface TriggerRow {
  id: string;
  event_type_key: string;
  window_seconds: number;
  threshold_count: number;
  created_at: Date;
}

/** The firing id is derived from (trigger, event): a replay finds the firing it already recorded. */
export function surgeEventId(triggerId: string, eventId: string): string {
  return nameUuid(`kenbun:surge:${triggerId}:${eventId}`);
}

/**
 * Live surge detection (SUR-4) over the Lead streams. For every kept event (not suppressed, scope `activate`,
 * skip_triggers false) and every active trigger of its OU that matches its type, the event time is remembered
 * per trigger and lead (`surge_recent_events`, pruned to the window); when the window count reaches the threshold
 * and the trigger has not fired for the lead within the window, a `surge_events` row is recorded and a delivery
 * job enqueued (the worker, not the projection, talks to the outside world).
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

  constructor(@InjectQueue(QueueName.SurgeDelivery) private readonly queue: Queue) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const triggersByUnit = new Map<string, TriggerRow[]>();
    const fired: string[] = [];
    for (const e of events) {
      if (e.streamType !== LeadStreamType) continue;
      const p = e.payload as LeadEventRecordedPayload;
      const unitId = e.metadata.unit_id;
      if (!unitId || p.suppression || p.skip_triggers || p.scope !== 'activate') continue;
      let triggers = triggersByUnit.get(unitId);
      if (!triggers) {
        triggers = await selectRows<TriggerRow>(
          m,
          sql`SELECT id, event_type_key, window_seconds, threshold_count, created_at FROM surge_triggers WHERE ${unitOnly(undefined, unitId)} AND active ORDER BY id`,
        );
        triggersByUnit.set(unitId, triggers!);
      }
      const at = new Date(p.occurred_at);
      for (const t of triggers!) {
        if (t.event_type_key && t.event_type_key !== p.event_type_key) continue;
        if (e.recordedAt < new Date(t.created_at)) continue;
        const id = await this.step(m, t, e, p, at);
        if (id) fired.push(id);
      }
    }
    // Enqueued inside the batch transaction; a job that runs before the commit finds no row yet and is retried.
    for (const id of fired) await this.queue.add(DELIVER_SURGE, { surge_event_id: id } satisfies DeliverSurgeData);
  }

  /** One event for one trigger; returns the id of a new firing. */
  private async step(m: EntityManager, t: TriggerRow, e: StoredEvent, p: LeadEventRecordedPayload, at: Date): Promise<string | null> {
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
    return inserted.length ? id : null;
  }
}
