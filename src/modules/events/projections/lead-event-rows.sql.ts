import { EntityManager } from 'typeorm';
import { execute, raw, selectRows, sql } from '../../../platform/database';
import { StoredEvent } from '../../../platform/event-store';
import { AddedTouches, addTouches, TOUCH_DIMENSIONS_SQL, TOUCH_ENGAGEMENT_SQL, TOUCH_HOUR_SQL } from './event-touches.sql';

/** Writes of `lead_events`, the read model of every stored event (suppressed ones with their reason). */

/** A recorded (or suppressed) event as `lead_events` stores it. */
export interface LeadEventRow {
  event_id: string;
  org_id: string;
  unit_id: string;
  lead_ref: string | null;
  lead_id: string | null;
  event_type: string;
  event_type_key: string;
  occurred_at: string;
  received_at: string;
  recorded_at: Date | string;
  metadata: Record<string, unknown> | null;
  channel: string;
  suppression: string | null;
  filter_id: string | null;
  client_event_id: string | null;
  source: string;
  skip_triggers: boolean;
  /** the surge session multiplier the event was recorded with (1 when it did not count) */
  surge_multiplier: number;
}

/** An event moved to another lead by a merge. */
export interface AdoptedEventRow {
  event_id: string;
  original_lead_id: string;
  reset_excluded: boolean;
}

/**
 * Inserts the events (an event already there is left alone). With `touches`, the engagement events it inserted also
 * count in their touch cells, in the same statement, and their (lead, `dim:value`, hour) touches are added to
 * `touches` for the batch's end (`moveLeadTouches`).
 */
export async function insertLeadEvents(m: EntityManager, rows: LeadEventRow[], touches?: AddedTouches): Promise<void> {
  const insert = sql`INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at,
                                 recorded_at, metadata, channel, suppression, filter_id, client_event_id, source, skip_triggers, surge_multiplier)
        SELECT x.event_id, x.org_id, x.unit_id, x.lead_ref, x.lead_id, x.event_type, x.event_type_key, x.occurred_at, x.received_at,
               x.recorded_at, x.metadata, x.channel, x.suppression, x.filter_id, x.client_event_id, x.source, x.skip_triggers, x.surge_multiplier
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(event_id uuid, org_id text, unit_id text, lead_ref text, lead_id text, event_type text,
               event_type_key text, occurred_at timestamptz, received_at timestamptz, recorded_at timestamptz, metadata jsonb,
               channel text, suppression text, filter_id text, client_event_id text, source text, skip_triggers boolean, surge_multiplier double precision)
        ON CONFLICT (event_id) DO NOTHING`;
  if (!touches) {
    await execute(m, insert);
    return;
  }
  const added = await selectRows<{ lead_ref: string; key: string; hour: number }>(
    m,
    sql`WITH e AS (${insert} RETURNING unit_id, lead_ref, event_type_key, utm_campaign, utm_source, utm_medium, occurred_at, suppression, source),
             t AS (SELECT e.unit_id, e.lead_ref, d.dim, d.value, ${raw(TOUCH_HOUR_SQL)} AS hour, e.occurred_at
                     FROM e ${raw(TOUCH_DIMENSIONS_SQL)} WHERE ${raw(TOUCH_ENGAGEMENT_SQL)} AND d.value IS NOT NULL),
             c AS (INSERT INTO event_touch_hours AS h (unit_id, dim, value, hour, events, first_at, last_at)
                   SELECT unit_id, dim, value, hour, count(*), min(occurred_at), max(occurred_at) FROM t GROUP BY 1, 2, 3, 4
                   ON CONFLICT (unit_id, dim, value, hour) DO UPDATE
                      SET events = h.events + excluded.events, first_at = least(h.first_at, excluded.first_at), last_at = greatest(h.last_at, excluded.last_at))
        SELECT lead_ref, dim || ':' || value AS key, max(hour) AS hour FROM t GROUP BY 1, 2`,
  );
  addTouches(touches, added);
}

/** A system entry of a lead's timeline (`score_reset`, `lead_merged`): never scored, not activity. */
export async function insertTimelineEntry(
  m: EntityManager,
  e: StoredEvent,
  leadId: string | null,
  type: string,
  at: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  await execute(
    m,
    sql`INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, metadata, channel, source)
        VALUES (${e.eventId}, ${e.metadata.org_id}, ${e.metadata.unit_id}, ${e.streamId}, ${leadId}, ${type}, ${type}, ${at}, ${e.recordedAt}, ${e.recordedAt}, ${JSON.stringify(metadata)}, 'system', 'system')
        ON CONFLICT (event_id) DO NOTHING`,
  );
}

export async function setSuppression(m: EntityManager, eventId: string, suppression: string | null): Promise<void> {
  await execute(m, sql`UPDATE lead_events SET suppression = ${suppression} WHERE event_id = ${eventId}`);
}

/** Deletes the events; answers how many went per OU and event type (for the type counts). */
export async function deleteLeadEvents(m: EntityManager, eventIds: string[]): Promise<{ unit_id: string; event_type_key: string; n: number }[]> {
  return selectRows(
    m,
    sql`WITH d AS (DELETE FROM lead_events WHERE event_id = ANY(${eventIds}::uuid[]) RETURNING unit_id, event_type_key)
        SELECT unit_id, event_type_key, count(*)::int AS n FROM d GROUP BY unit_id, event_type_key`,
  );
}

/** The moved events now belong to the target lead, keeping the lead they were first recorded on. */
export async function moveLeadEvents(m: EntityManager, events: AdoptedEventRow[], leadRef: string, leadId: string | null): Promise<void> {
  await execute(
    m,
    sql`UPDATE lead_events le SET lead_ref = ${leadRef}, lead_id = ${leadId}, original_lead_id = x.original_lead_id, reset_excluded = x.reset_excluded
          FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS x(event_id uuid, original_lead_id text, reset_excluded boolean)
         WHERE le.event_id = x.event_id`,
  );
}

export async function leadIdOf(m: EntityManager, leadRef: string): Promise<string | null> {
  const [row] = await selectRows<{ lead_id: string }>(m, sql`SELECT lead_id FROM leads WHERE id = ${leadRef}`);
  return row?.lead_id ?? null;
}
