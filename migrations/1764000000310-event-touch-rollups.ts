import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups of engagement events (unsuppressed, not `system`) for analytics windows that end now: campaigns by UTM value
 * and event stats by type read hourly cells instead of grouping millions of events into (value, lead) pairs.
 *
 * - `event_touch_hours`: per OU, dimension (`t` event type key, `c`/`s`/`m` UTM campaign/source/medium), value and UTC
 *   hour (hours since the epoch): the events of that hour, their first and last time, and `leads`, the number of
 *   leads whose latest touch of the value falls in that hour. The distinct leads of a window [s, now] are then the
 *   leads of the cells after s's hour plus, from the events of s's own hour, those whose latest touch is in it.
 * - `leads.touches`: each lead's latest touch hour per dimension value (`{"c:spring": 493000, …}`), which moves those
 *   counts exactly when a touch moves to a later hour.
 *
 * The lead-events projection keeps both in the transactions that write `lead_events`; this migration fills them
 * from the events already there (the same statements a rebuild of that projection runs).
 */
export class EventTouchRollups1764000000310 implements MigrationInterface {
  name = 'EventTouchRollups1764000000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE leads ADD COLUMN touches jsonb`);
    await q.query(`
      CREATE TABLE event_touch_hours (
        unit_id  text NOT NULL,
        dim      text NOT NULL CHECK (dim IN ('t', 'c', 's', 'm')),
        value    text NOT NULL,
        hour     integer NOT NULL,
        events   integer NOT NULL DEFAULT 0,
        leads    integer NOT NULL DEFAULT 0,
        first_at timestamptz,
        last_at  timestamptz,
        PRIMARY KEY (unit_id, dim, value, hour)
      )`);
    await q.query(`
      INSERT INTO event_touch_hours (unit_id, dim, value, hour, events, first_at, last_at)
      SELECT e.unit_id, d.dim, d.value, floor(extract(epoch FROM e.occurred_at) / 3600)::int, count(*), min(e.occurred_at), max(e.occurred_at)
        FROM lead_events e
        CROSS JOIN LATERAL (VALUES ('t', e.event_type_key), ('c', e.utm_campaign), ('s', e.utm_source), ('m', e.utm_medium)) AS d(dim, value)
       WHERE e.suppression IS NULL AND e.source <> 'system' AND e.lead_ref IS NOT NULL AND d.value IS NOT NULL
       GROUP BY 1, 2, 3, 4`);
    await q.query(`
      CREATE TEMP TABLE latest_touches AS
      SELECT e.lead_ref, e.unit_id, d.dim, d.value, max(floor(extract(epoch FROM e.occurred_at) / 3600))::int AS hour
        FROM lead_events e
        CROSS JOIN LATERAL (VALUES ('t', e.event_type_key), ('c', e.utm_campaign), ('s', e.utm_source), ('m', e.utm_medium)) AS d(dim, value)
       WHERE e.suppression IS NULL AND e.source <> 'system' AND e.lead_ref IS NOT NULL AND d.value IS NOT NULL
       GROUP BY 1, 2, 3, 4`);
    await q.query(`
      UPDATE leads l SET touches = t.touches
        FROM (SELECT lead_ref, jsonb_object_agg(dim || ':' || value, hour) AS touches FROM latest_touches GROUP BY lead_ref) t
       WHERE l.id = t.lead_ref`);
    await q.query(`
      UPDATE event_touch_hours c SET leads = n.leads
        FROM (SELECT unit_id, dim, value, hour, count(*)::int AS leads FROM latest_touches GROUP BY 1, 2, 3, 4) n
       WHERE c.unit_id = n.unit_id AND c.dim = n.dim AND c.value = n.value AND c.hour = n.hour`);
    await q.query(`DROP TABLE latest_touches`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_touch_hours`);
    await q.query(`ALTER TABLE leads DROP COLUMN touches`);
  }
}
