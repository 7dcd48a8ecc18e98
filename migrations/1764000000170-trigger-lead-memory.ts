import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trigger detection's memory of a lead in one row (issue 13's ingest cost): `trigger_lead_scores.state` holds,
 * per trigger id, what `trigger_lead_state` (fire count, last firing, above a threshold) and
 * `trigger_recent_events` (a sequence's or pattern's unconsumed events in the window) held in a row per trigger and
 * lead and a row per trigger, lead and event:
 *
 *   { "<trigger id>": { "n": fired count, "l": last fired (ms), "a": 1 when above, "p": [[event id, type key, ms], …] } }
 *
 * (absent fields are 0 / none / false / empty). The detection reads and writes that row for every lead of a batch
 * anyway, so the two other tables' reads, inserts and deletes go. Existing rows are folded in; `down` unfolds them.
 */
export class TriggerLeadMemory1764000000170 implements MigrationInterface {
  name = 'TriggerLeadMemory1764000000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE trigger_lead_scores ADD COLUMN state jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`
      WITH s AS (
        SELECT lead_ref, trigger_id,
               jsonb_strip_nulls(jsonb_build_object('n', nullif(fired_count, 0), 'l', floor(extract(epoch FROM last_fired_at) * 1000)::bigint,
                                                    'a', CASE WHEN above THEN 1 END)) AS o
          FROM trigger_lead_state
      ), r AS (
        SELECT lead_ref, trigger_id,
               jsonb_agg(jsonb_build_array(event_id::text, event_type_key, floor(extract(epoch FROM occurred_at) * 1000)::bigint) ORDER BY occurred_at, event_id) AS p
          FROM trigger_recent_events GROUP BY lead_ref, trigger_id
      ), m AS (
        SELECT coalesce(s.lead_ref, r.lead_ref) AS lead_ref, coalesce(s.trigger_id, r.trigger_id) AS trigger_id,
               coalesce(s.o, '{}'::jsonb) || CASE WHEN r.p IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('p', r.p) END AS o
          FROM s FULL JOIN r ON r.lead_ref = s.lead_ref AND r.trigger_id = s.trigger_id
      ), agg AS (
        SELECT lead_ref, jsonb_object_agg(trigger_id, o) AS state FROM m WHERE o <> '{}'::jsonb GROUP BY lead_ref
      )
      UPDATE trigger_lead_scores t SET state = agg.state FROM agg WHERE t.lead_ref = agg.lead_ref`);
    await q.query(`DROP TABLE trigger_recent_events`);
    await q.query(`DROP TABLE trigger_lead_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trigger_lead_state (
        trigger_id    text        NOT NULL,
        lead_ref      text        NOT NULL,
        fired_count   integer     NOT NULL DEFAULT 0,
        last_fired_at timestamptz,
        above         boolean     NOT NULL DEFAULT false,
        PRIMARY KEY (trigger_id, lead_ref)
      )`);
    await q.query(`
      CREATE TABLE trigger_recent_events (
        trigger_id     text        NOT NULL,
        lead_ref       text        NOT NULL,
        event_id       uuid        NOT NULL,
        event_type_key text        NOT NULL,
        occurred_at    timestamptz NOT NULL,
        PRIMARY KEY (trigger_id, lead_ref, event_id)
      )`);
    await q.query(`
      INSERT INTO trigger_lead_state (trigger_id, lead_ref, fired_count, last_fired_at, above)
      SELECT e.key, t.lead_ref, coalesce((e.value->>'n')::int, 0), to_timestamp((e.value->>'l')::double precision / 1000), coalesce((e.value->>'a')::int = 1, false)
        FROM trigger_lead_scores t, jsonb_each(t.state) e
       WHERE e.value ?| array['n', 'l', 'a']`);
    await q.query(`
      INSERT INTO trigger_recent_events (trigger_id, lead_ref, event_id, event_type_key, occurred_at)
      SELECT e.key, t.lead_ref, (x.value->>0)::uuid, x.value->>1, to_timestamp((x.value->>2)::double precision / 1000)
        FROM trigger_lead_scores t, jsonb_each(t.state) e, jsonb_array_elements(coalesce(e.value->'p', '[]'::jsonb)) x
      ON CONFLICT DO NOTHING`);
    await q.query(`ALTER TABLE trigger_lead_scores DROP COLUMN state`);
  }
}
