import { EntityManager } from 'typeorm';
import { execute, raw, selectRows, sql } from '../../../platform/database';

/**
 * Touch rollups of engagement events (unsuppressed, not `system`), for analytics windows that end now (migration
 * 1764000000310): `event_touch_hours` holds per OU, dimension, value and UTC hour the events, their first and last
 * time, and `leads`, the leads whose latest touch of the value is in that hour; `leads.touches` holds each lead's
 * latest touch hour per `dim:value`. The distinct leads of a window [s, now] are the `leads` of the cells after s's
 * hour plus, among the events of s's own hour from s on, the leads whose latest touch is in that hour: each lead is in
 * exactly one cell per value, and its latest touch is at or after s exactly when one of those two holds.
 *
 * Dimensions: `t` the event type key, `c`, `s`, `m` the UTM campaign, source and medium (the generated
 * `lead_events.utm_*` columns). Hours are whole hours since the Unix epoch.
 *
 * Written by the lead-events projection in the transactions that write `lead_events`: new events add to their cells
 * as they are inserted (from what the INSERT stored, so a replayed event counts once), and at the end of a batch the
 * leads whose touches moved move between cells. Suppression changes and deletions move the events' cells and
 * recompute those leads' touches from their events; merges recompute both leads. A rebuild of the projection refills
 * everything from `lead_events` afterwards (`rebuildTouchRollups`). Erasure (leads module) removes a lead's share itself.
 */

/** An engagement event's (dim, value) pairs: `d.dim`, `d.value` beside `lead_events e`. */
export const TOUCH_DIMENSIONS_SQL = `CROSS JOIN LATERAL (VALUES ('t', e.event_type_key), ('c', e.utm_campaign), ('s', e.utm_source), ('m', e.utm_medium)) AS d(dim, value)`;
/** What the rollups count (with `lead_events e`). */
export const TOUCH_ENGAGEMENT_SQL = `e.suppression IS NULL AND e.source <> 'system' AND e.lead_ref IS NOT NULL`;
/** `e.occurred_at`'s hour since the epoch. */
export const TOUCH_HOUR_SQL = `floor(extract(epoch FROM e.occurred_at) / 3600)::int`;

export const HOUR_MS = 3_600_000;
export const touchHourOf = (at: Date): number => Math.floor(at.getTime() / HOUR_MS);

/** A lead row's columns `moveLeadTouches` works on (read with the batch's row locks: `LEAD_TOUCHES_COLUMNS`). */
export interface LeadTouchesRow {
  id: string;
  unit_id: string;
  touches: Record<string, number> | null;
}
export const LEAD_TOUCHES_COLUMNS = ['id', 'unit_id', 'touches'] as const;

/** lead_ref -> `dim:value` -> latest touch hour, of what a batch inserted */
export type AddedTouches = Map<string, Map<string, number>>;

/** One engagement event's share of one cell. */
export interface TouchCellEvent {
  unit_id: string;
  dim: string;
  value: string;
  hour: number;
  occurred_at: string;
}

/** Folds an insert's touches (lead, key, hour) into the batch's. */
export function addTouches(into: AddedTouches, rows: { lead_ref: string; key: string; hour: number }[]): void {
  for (const r of rows) {
    let keys = into.get(r.lead_ref);
    if (!keys) into.set(r.lead_ref, (keys = new Map()));
    const h = keys.get(r.key);
    if (h === undefined || r.hour > h) keys.set(r.key, r.hour);
  }
}

/** The cells' shares of these events as `lead_events` has them now (engagement events only). */
export function touchCellEventsOf(m: EntityManager, eventIds: string[]): Promise<TouchCellEvent[]> {
  if (!eventIds.length) return Promise.resolve([]);
  return selectRows<TouchCellEvent>(
    m,
    sql`SELECT e.unit_id, d.dim, d.value, ${raw(TOUCH_HOUR_SQL)} AS hour, e.occurred_at
          FROM lead_events e ${raw(TOUCH_DIMENSIONS_SQL)}
         WHERE e.event_id = ANY(${eventIds}::uuid[]) AND ${raw(TOUCH_ENGAGEMENT_SQL)} AND d.value IS NOT NULL`,
  );
}

/**
 * The same events before and after a change of `lead_events` (a suppression change, a deletion: `after` empty): their
 * cells' event counts move by the difference, and the cells' first and last times are read again from the events.
 */
export async function moveTouchCellEvents(m: EntityManager, before: TouchCellEvent[], after: TouchCellEvent[]): Promise<void> {
  const cells = new Map<string, { unit_id: string; dim: string; value: string; hour: number; n: number }>();
  const add = (r: TouchCellEvent, n: number) => {
    const k = JSON.stringify([r.unit_id, r.dim, r.value, r.hour]);
    const c = cells.get(k);
    if (c) c.n += n;
    else cells.set(k, { unit_id: r.unit_id, dim: r.dim, value: r.value, hour: Number(r.hour), n });
  };
  for (const r of before) add(r, -1);
  for (const r of after) add(r, 1);
  if (!cells.size) return;
  const rows = JSON.stringify([...cells.values()]);
  await execute(
    m,
    sql`INSERT INTO event_touch_hours AS h (unit_id, dim, value, hour, events)
        SELECT x.unit_id, x.dim, x.value, x.hour, x.n FROM jsonb_to_recordset(${rows}::jsonb) AS x(unit_id text, dim text, value text, hour int, n int)
        ON CONFLICT (unit_id, dim, value, hour) DO UPDATE SET events = h.events + excluded.events`,
  );
  await execute(
    m,
    sql`UPDATE event_touch_hours h SET first_at = b.first_at, last_at = b.last_at
          FROM jsonb_to_recordset(${rows}::jsonb) AS x(unit_id text, dim text, value text, hour int)
          CROSS JOIN LATERAL (
            SELECT min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at FROM lead_events e
             WHERE e.unit_id = x.unit_id AND e.occurred_at >= to_timestamp(x.hour * 3600.0) AND e.occurred_at < to_timestamp((x.hour + 1) * 3600.0)
               AND ${raw(TOUCH_ENGAGEMENT_SQL)}
               AND CASE x.dim WHEN 't' THEN e.event_type_key WHEN 'c' THEN e.utm_campaign WHEN 's' THEN e.utm_source ELSE e.utm_medium END = x.value
          ) b
         WHERE h.unit_id = x.unit_id AND h.dim = x.dim AND h.value = x.value AND h.hour = x.hour`,
  );
}

/**
 * The leads' touches after a batch: those that only gained events move forward by what was inserted (`added`), those a
 * change of existing events concerned (`recompute`: suppression, deletion, merge) are read again from their events.
 * Each latest touch that moved leaves its old cell's `leads` and joins its new one. Answers the touches to write on the
 * lead rows (only those that changed; `{}` for none left). The lead rows are expected to be locked by the caller.
 */
export async function moveLeadTouches(
  m: EntityManager,
  current: readonly LeadTouchesRow[],
  added: AddedTouches,
  recompute: ReadonlySet<string>,
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (!added.size && !recompute.size) return out;
  const fresh = new Map<string, Record<string, number>>();
  if (recompute.size) {
    for (const r of await selectRows<{ lead_ref: string; key: string; hour: number }>(
      m,
      sql`SELECT e.lead_ref, d.dim || ':' || d.value AS key, max(${raw(TOUCH_HOUR_SQL)}) AS hour
            FROM lead_events e ${raw(TOUCH_DIMENSIONS_SQL)}
           WHERE e.lead_ref = ANY(${[...recompute]}::text[]) AND ${raw(TOUCH_ENGAGEMENT_SQL)} AND d.value IS NOT NULL
           GROUP BY 1, 2`,
    )) {
      let t = fresh.get(r.lead_ref);
      if (!t) fresh.set(r.lead_ref, (t = {}));
      t[r.key] = Number(r.hour);
    }
  }
  const moves = new Map<string, { unit_id: string; dim: string; value: string; hour: number; n: number }>();
  const move = (unit: string, key: string, hour: number, n: number) => {
    const k = `${unit}\u0000${key}\u0000${hour}`;
    const c = moves.get(k);
    if (c) c.n += n;
    else moves.set(k, { unit_id: unit, dim: key.slice(0, 1), value: key.slice(2), hour, n });
  };
  for (const lead of current) {
    if (!added.has(lead.id) && !recompute.has(lead.id)) continue;
    const before = lead.touches ?? {};
    let after: Record<string, number>;
    if (recompute.has(lead.id)) after = fresh.get(lead.id) ?? {};
    else {
      after = { ...before };
      for (const [key, hour] of added.get(lead.id) ?? []) if (!(key in after) || hour > after[key]) after[key] = hour;
    }
    let changed = false;
    for (const [key, hour] of Object.entries(before)) {
      if (after[key] === hour) continue;
      move(lead.unit_id, key, hour, -1);
      changed = true;
    }
    for (const [key, hour] of Object.entries(after)) {
      if (before[key] === hour) continue;
      move(lead.unit_id, key, hour, 1);
      changed = true;
    }
    if (changed) out.set(lead.id, after);
  }
  const rows = [...moves.values()].filter((c) => c.n !== 0);
  // every cell a latest touch moves from or to exists: its events put it there (the INSERT of this batch's events, or
  // an earlier one), so a plain UPDATE (HOT: `leads` is in no index) does, without an upsert's speculative insert
  if (rows.length) {
    await execute(
      m,
      sql`UPDATE event_touch_hours h SET leads = h.leads + x.n
            FROM unnest(${rows.map((r) => r.unit_id)}::text[], ${rows.map((r) => r.dim)}::text[], ${rows.map((r) => r.value)}::text[],
                        ${rows.map((r) => r.hour)}::int[], ${rows.map((r) => r.n)}::int[]) AS x(unit_id, dim, value, hour, n)
           WHERE h.unit_id = x.unit_id AND h.dim = x.dim AND h.value = x.value AND h.hour = x.hour`,
    );
  }
  return out;
}

/** Every cell and every lead's touches again from `lead_events` (after a rebuild of the lead-events projection). */
export async function rebuildTouchRollups(m: EntityManager): Promise<void> {
  await m.query(`DELETE FROM event_touch_hours`);
  await m.query(`UPDATE leads SET touches = NULL WHERE touches IS NOT NULL`);
  await m.query(
    `INSERT INTO event_touch_hours (unit_id, dim, value, hour, events, first_at, last_at)
     SELECT e.unit_id, d.dim, d.value, ${TOUCH_HOUR_SQL}, count(*), min(e.occurred_at), max(e.occurred_at)
       FROM lead_events e ${TOUCH_DIMENSIONS_SQL}
      WHERE ${TOUCH_ENGAGEMENT_SQL} AND d.value IS NOT NULL
      GROUP BY 1, 2, 3, 4`,
  );
  await m.query(
    `CREATE TEMP TABLE rebuilt_touches AS
     SELECT e.lead_ref, e.unit_id, d.dim, d.value, max(${TOUCH_HOUR_SQL}) AS hour
       FROM lead_events e ${TOUCH_DIMENSIONS_SQL}
      WHERE ${TOUCH_ENGAGEMENT_SQL} AND d.value IS NOT NULL
      GROUP BY 1, 2, 3, 4`,
  );
  await m.query(
    `UPDATE leads l SET touches = t.touches
       FROM (SELECT lead_ref, jsonb_object_agg(dim || ':' || value, hour) AS touches FROM rebuilt_touches GROUP BY lead_ref) t
      WHERE l.id = t.lead_ref`,
  );
  await m.query(
    `UPDATE event_touch_hours c SET leads = n.leads
       FROM (SELECT unit_id, dim, value, hour, count(*)::int AS leads FROM rebuilt_touches GROUP BY 1, 2, 3, 4) n
      WHERE c.unit_id = n.unit_id AND c.dim = n.dim AND c.value = n.value AND c.hour = n.hour`,
  );
  await m.query(`DROP TABLE rebuilt_touches`);
}
