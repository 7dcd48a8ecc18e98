import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leads, ingested events and engagement scores.
 * - `leads` and `lead_aliases` are kept inline with the Lead aggregate (the worker resolves aliases from them in
 *   the same transaction that creates a lead; the unique index is what makes concurrent creation safe).
 * - `lead_events`, `event_scores`, `lead_scores`, `event_type_stats`, `event_type_properties`, `unit_channels`
 *   are async projections of the Lead (and suppressed-event) streams.
 * - `event_type_settings` and `scoring_settings` are configuration written by the API.
 */
export class CreateLeadEventReadModels1764000000005 implements MigrationInterface {
  name = 'CreateLeadEventReadModels1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE leads (
        id              text PRIMARY KEY,
        org_id          text        NOT NULL,
        unit_id         text        NOT NULL,
        lead_id         text        NOT NULL,
        metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
        account_id      text,
        owner_id        text,
        owner_name      text,
        status          text        NOT NULL DEFAULT 'active',
        score_reset_at  timestamptz,
        last_event_at   timestamptz,
        last_event_type text,
        event_count     integer     NOT NULL DEFAULT 0,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        CONSTRAINT leads_unit_lead_key UNIQUE (unit_id, lead_id)
      )`);
    await q.query(`CREATE INDEX leads_unit_created_idx ON leads (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX leads_unit_last_event_idx ON leads (unit_id, last_event_at DESC NULLS LAST)`);
    await q.query(`
      CREATE TABLE lead_aliases (
        unit_id    text        NOT NULL,
        kind       text        NOT NULL,
        value      text        NOT NULL,
        lead_ref   text        NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        org_id     text        NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (unit_id, kind, value)
      )`);
    await q.query(`CREATE INDEX lead_aliases_lead_idx ON lead_aliases (lead_ref)`);

    await q.query(`
      CREATE TABLE lead_events (
        event_id        uuid PRIMARY KEY,
        org_id          text        NOT NULL,
        unit_id         text        NOT NULL,
        lead_ref        text,
        lead_id         text,
        event_type      text        NOT NULL,
        event_type_key  text        NOT NULL,
        occurred_at     timestamptz NOT NULL,
        received_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL,
        metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
        channel         text        NOT NULL,
        suppression     text,
        filter_id       text,
        client_event_id text,
        source          text        NOT NULL DEFAULT 'api',
        skip_triggers   boolean     NOT NULL DEFAULT false,
        original_lead_id text
      )`);
    await q.query(`CREATE INDEX lead_events_unit_time_idx ON lead_events (unit_id, occurred_at DESC, event_id DESC)`);
    await q.query(`CREATE INDEX lead_events_lead_time_idx ON lead_events (lead_ref, occurred_at DESC, event_id DESC)`);
    await q.query(`CREATE INDEX lead_events_unit_type_idx ON lead_events (unit_id, event_type_key)`);
    await q.query(`CREATE INDEX lead_events_suppressed_idx ON lead_events (unit_id, filter_id) WHERE suppression IS NOT NULL`);

    await q.query(`
      CREATE TABLE event_scores (
        event_id       uuid        NOT NULL,
        ruleset_id     text        NOT NULL,
        org_id         text        NOT NULL,
        unit_id        text        NOT NULL,
        lead_ref       text        NOT NULL,
        rule_id        text        NOT NULL,
        base_points    double precision NOT NULL,
        multiplier     double precision NOT NULL,
        half_life_days integer,
        occurred_at    timestamptz NOT NULL,
        PRIMARY KEY (event_id, ruleset_id)
      )`);
    await q.query(`CREATE INDEX event_scores_lead_idx ON event_scores (lead_ref, ruleset_id)`);
    await q.query(`CREATE INDEX event_scores_unit_type_idx ON event_scores (unit_id, ruleset_id)`);

    await q.query(`
      CREATE TABLE lead_scores (
        lead_ref     text        NOT NULL,
        ruleset_id   text        NOT NULL,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        score        double precision NOT NULL,
        decays       boolean     NOT NULL,
        event_count  integer     NOT NULL,
        computed_at  timestamptz NOT NULL,
        PRIMARY KEY (lead_ref, ruleset_id)
      )`);
    await q.query(`CREATE INDEX lead_scores_unit_score_idx ON lead_scores (unit_id, ruleset_id, score DESC)`);

    await q.query(`
      CREATE TABLE event_type_stats (
        unit_id     text        NOT NULL,
        key         text        NOT NULL,
        org_id      text        NOT NULL,
        name        text        NOT NULL,
        event_count bigint      NOT NULL,
        first_seen  timestamptz NOT NULL,
        last_seen   timestamptz NOT NULL,
        PRIMARY KEY (unit_id, key)
      )`);
    await q.query(`
      CREATE TABLE event_type_properties (
        unit_id  text NOT NULL,
        key      text NOT NULL,
        property text NOT NULL,
        PRIMARY KEY (unit_id, key, property)
      )`);
    await q.query(`
      CREATE TABLE unit_channels (
        unit_id    text        NOT NULL,
        channel    text        NOT NULL,
        first_seen timestamptz NOT NULL,
        PRIMARY KEY (unit_id, channel)
      )`);
    await q.query(`
      CREATE TABLE event_type_settings (
        unit_id              text        NOT NULL,
        key                  text        NOT NULL,
        org_id               text        NOT NULL,
        hidden               boolean     NOT NULL DEFAULT false,
        max_processing_scope text        NOT NULL DEFAULT 'activate',
        updated_by           text,
        updated_at           timestamptz NOT NULL,
        PRIMARY KEY (unit_id, key)
      )`);
    await q.query(`
      CREATE TABLE scoring_settings (
        org_id                text PRIMARY KEY,
        allow_negative_scores boolean     NOT NULL DEFAULT false,
        abm_enabled           boolean     NOT NULL DEFAULT false,
        updated_at            timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE unit_scoring_settings (
        unit_id                 text PRIMARY KEY,
        org_id                  text        NOT NULL,
        session_timeout_minutes integer     NOT NULL DEFAULT 30,
        updated_at              timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'unit_scoring_settings',
      'scoring_settings',
      'event_type_settings',
      'unit_channels',
      'event_type_properties',
      'event_type_stats',
      'lead_scores',
      'event_scores',
      'lead_events',
      'lead_aliases',
      'leads',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
