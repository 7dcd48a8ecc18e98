import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Milestone, sequence and pattern triggers (issue 13, MS/SEQ/PAT-T1).
 * - `triggers`: read model of the Trigger aggregate (stream type `trigger`), applied inline with each append.
 *   Kind-specific settings (sequence steps, pattern conditions, windows) are in `config`.
 * - `trigger_setup_version`: a counter moved by every statement writing `triggers`, so the live detection keeps an
 *   OU's active triggers cached until it moves (the pattern of `scoring_setup_version`).
 * - `trigger_lead_scores`: the primary engagement score of each lead as the detection follows it, event by event
 *   (one running sum per half-life, as of `as_of`): milestone crossings need the score before and after each event.
 * - `trigger_lead_state`: per trigger and lead, how often and when it last fired (fire modes, cooldown) and whether
 *   the lead is above a milestone's threshold.
 * - `trigger_recent_events`: per sequence or pattern trigger and lead, the matching events still inside the window
 *   and not yet consumed by a firing.
 * - `milestone_events`, `sequence_events`, `pattern_events`: one row per firing, keyed by (trigger, lead, source event)
 *   so a replayed batch records nothing twice.
 */
export class Triggers1764000000120 implements MigrationInterface {
  name = 'Triggers1764000000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE triggers (
        id                      text        PRIMARY KEY,
        org_id                  text        NOT NULL,
        unit_id                 text        NOT NULL,
        kind                    text        NOT NULL CHECK (kind IN ('milestone', 'sequence', 'pattern')),
        name                    text        NOT NULL,
        description             text        NOT NULL DEFAULT '',
        event_type              text        NOT NULL DEFAULT '',
        event_type_key          text        NOT NULL DEFAULT '',
        score_threshold         integer,
        fire_mode               text        NOT NULL DEFAULT 'once',
        cooldown_seconds        integer     NOT NULL DEFAULT 0,
        config                  jsonb       NOT NULL DEFAULT '{}'::jsonb,
        active                  boolean     NOT NULL,
        notification_channel_id uuid,
        webhook_url             text,
        teams_webhook_url       text,
        emails                  jsonb       NOT NULL DEFAULT '[]'::jsonb,
        email_subject           text,
        email_preheader         text,
        email_message           text,
        slack_target_kind       text,
        slack_target_id         text,
        created_by              text,
        updated_by              text,
        created_at              timestamptz NOT NULL,
        updated_at              timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX triggers_unit_kind_idx ON triggers (unit_id, kind, created_at DESC, id)`);

    await q.query(`CREATE TABLE trigger_setup_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL DEFAULT 0)`);
    await q.query(`INSERT INTO trigger_setup_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION bump_trigger_setup_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE trigger_setup_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER triggers_bump_trigger_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON triggers
         FOR EACH STATEMENT EXECUTE FUNCTION bump_trigger_setup_version()`,
    );

    await q.query(`
      CREATE TABLE trigger_lead_scores (
        lead_ref   text        PRIMARY KEY,
        ruleset_id text,
        terms      jsonb       NOT NULL,
        as_of      timestamptz NOT NULL
      )`);
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
      CREATE TABLE milestone_events (
        id             uuid        PRIMARY KEY,
        org_id         text        NOT NULL,
        unit_id        text        NOT NULL,
        trigger_id     text        NOT NULL,
        trigger_name   text        NOT NULL,
        kind           text        NOT NULL CHECK (kind IN ('reached', 'exited')),
        lead_ref       text        NOT NULL,
        lead_id        text        NOT NULL,
        score          double precision NOT NULL,
        previous_score double precision NOT NULL,
        event_id       uuid        NOT NULL,
        event_type     text        NOT NULL,
        fired_at       timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX milestone_events_unit_idx ON milestone_events (unit_id, fired_at DESC, id DESC)`);
    await q.query(`CREATE INDEX milestone_events_trigger_idx ON milestone_events (trigger_id, fired_at DESC)`);

    await q.query(`
      CREATE TABLE sequence_events (
        id            uuid        PRIMARY KEY,
        org_id        text        NOT NULL,
        unit_id       text        NOT NULL,
        sequence_id   text        NOT NULL,
        sequence_name text        NOT NULL,
        lead_ref      text        NOT NULL,
        lead_id       text        NOT NULL,
        event_types   jsonb       NOT NULL,
        event_ids     jsonb       NOT NULL,
        fired_at      timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX sequence_events_unit_idx ON sequence_events (unit_id, fired_at DESC, id DESC)`);
    await q.query(`CREATE INDEX sequence_events_trigger_idx ON sequence_events (sequence_id, fired_at DESC)`);

    await q.query(`
      CREATE TABLE pattern_events (
        id           uuid        PRIMARY KEY,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        trigger_id   text        NOT NULL,
        lead_ref     text        NOT NULL,
        lead_id      text        NOT NULL,
        event_ids    jsonb       NOT NULL,
        fired_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX pattern_events_trigger_idx ON pattern_events (trigger_id, fired_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['pattern_events', 'sequence_events', 'milestone_events', 'trigger_recent_events', 'trigger_lead_state', 'trigger_lead_scores']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP TRIGGER triggers_bump_trigger_setup_version ON triggers`);
    await q.query(`DROP FUNCTION bump_trigger_setup_version()`);
    await q.query(`DROP TABLE trigger_setup_version`);
    await q.query(`DROP TABLE triggers`);
  }
}
