import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surge triggers (SUR-1..SUR-9).
 * - `surge_triggers` is configuration written by the API.
 * - `surge_recent_events` and `surge_lead_state` are the detector's own state (async projection `surge_detection`
 *   of the Lead streams; emptied and rebuilt by a projection rebuild).
 * - `surge_events` (one row per firing) is written by the detector but kept across rebuilds: its ids are derived
 *   from (trigger, event), so a replay finds the firings it already recorded and sends nothing twice.
 * - `surge_deliveries` records every delivery attempt (the delivery worker).
 */
export class CreateSurge1764000000006 implements MigrationInterface {
  name = 'CreateSurge1764000000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surge_triggers (
        id                      text PRIMARY KEY,
        org_id                  text        NOT NULL,
        unit_id                 text        NOT NULL,
        name                    text        NOT NULL,
        event_type              text        NOT NULL DEFAULT '',
        event_type_key          text        NOT NULL DEFAULT '',
        window_seconds          integer     NOT NULL CHECK (window_seconds >= 1),
        window_unit             text        NOT NULL DEFAULT 'seconds',
        threshold_count         integer     NOT NULL CHECK (threshold_count >= 1),
        active                  boolean     NOT NULL DEFAULT true,
        notification_channel_id uuid,
        webhook_url             text,
        webhook_auth_header_enc text,
        webhook_auth_header_mask text,
        emails                  jsonb       NOT NULL DEFAULT '[]'::jsonb,
        slack_target_kind       text,
        slack_target_id         text,
        teams_webhook_url       text,
        created_by              text,
        updated_by              text,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX surge_triggers_unit_idx ON surge_triggers (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX surge_triggers_active_idx ON surge_triggers (unit_id, event_type_key) WHERE active`);

    await q.query(`
      CREATE TABLE surge_recent_events (
        trigger_id  text        NOT NULL,
        lead_ref    text        NOT NULL,
        event_id    uuid        NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (trigger_id, lead_ref, event_id)
      )`);
    await q.query(`CREATE INDEX surge_recent_events_time_idx ON surge_recent_events (trigger_id, lead_ref, occurred_at)`);
    await q.query(`
      CREATE TABLE surge_lead_state (
        trigger_id    text        NOT NULL,
        lead_ref      text        NOT NULL,
        last_fired_at timestamptz NOT NULL,
        PRIMARY KEY (trigger_id, lead_ref)
      )`);

    await q.query(`
      CREATE TABLE surge_events (
        id           uuid PRIMARY KEY,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        trigger_id   text        NOT NULL,
        lead_ref     text        NOT NULL,
        lead_id      text        NOT NULL,
        event_id     uuid        NOT NULL,
        event_type   text        NOT NULL,
        event_count  integer     NOT NULL,
        window_start timestamptz NOT NULL,
        window_end   timestamptz NOT NULL,
        channel      text        NOT NULL,
        fired_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX surge_events_unit_time_idx ON surge_events (unit_id, fired_at DESC, id DESC)`);
    await q.query(`CREATE INDEX surge_events_unit_channel_time_idx ON surge_events (unit_id, channel, fired_at DESC)`);
    await q.query(`CREATE INDEX surge_events_trigger_idx ON surge_events (trigger_id, fired_at DESC)`);
    await q.query(`CREATE INDEX surge_events_lead_idx ON surge_events (lead_ref, fired_at DESC)`);

    await q.query(`
      CREATE TABLE surge_deliveries (
        id             uuid PRIMARY KEY,
        org_id         text        NOT NULL,
        unit_id        text        NOT NULL,
        trigger_id     text        NOT NULL,
        surge_event_id uuid        NOT NULL,
        destination    text        NOT NULL,
        status         text        NOT NULL CHECK (status IN ('delivered', 'failed')),
        http_status    integer,
        error          text,
        attempted_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX surge_deliveries_trigger_time_idx ON surge_deliveries (trigger_id, attempted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX surge_deliveries_event_idx ON surge_deliveries (surge_event_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['surge_deliveries', 'surge_events', 'surge_lead_state', 'surge_recent_events', 'surge_triggers']) await q.query(`DROP TABLE ${t}`);
  }
}
