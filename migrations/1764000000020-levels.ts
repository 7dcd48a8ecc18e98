import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Levels (LVL): the configured ranges per OU, kind and ruleset, the snapshot history of each configuration, the
 * engagement level materialised on `leads`, the `level_changed` record that triggers and segments will consume,
 * and `level_setup_version`, the counter the ingest projection's level cache is keyed by (as
 * `scoring_setup_version`, migration 1764000000012): moved by every statement on `levels`, and on `rulesets`
 * because the primary ruleset decides which configuration classifies a lead.
 */
export class Levels1764000000020 implements MigrationInterface {
  name = 'Levels1764000000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE levels (
        id         text PRIMARY KEY,
        org_id     text        NOT NULL,
        unit_id    text        NOT NULL,
        kind       text        NOT NULL CHECK (kind IN ('engagement', 'profile', 'account', 'deal')),
        ruleset_id text,
        name       text        NOT NULL,
        min_score  integer     NOT NULL,
        max_score  integer CHECK (max_score IS NULL OR max_score >= min_score),
        color      text,
        position   integer     NOT NULL DEFAULT 0,
        created_by text,
        updated_by text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX levels_config_idx ON levels (unit_id, kind, ruleset_id, min_score)`);
    await q.query(`
      CREATE TABLE level_history (
        id          text PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        kind        text        NOT NULL,
        ruleset_id  text,
        action      text        NOT NULL,
        levels      jsonb       NOT NULL,
        reverted_to text,
        actor       text,
        created_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX level_history_config_idx ON level_history (unit_id, kind, ruleset_id, created_at DESC, id DESC)`);
    // nullable, no default: instant on a large table
    await q.query(`ALTER TABLE leads ADD COLUMN engagement_level_id text, ADD COLUMN engagement_level text`);
    await q.query(`CREATE INDEX leads_engagement_level_idx ON leads (unit_id, engagement_level) WHERE status = 'active' AND engagement_level IS NOT NULL`);
    await q.query(`
      CREATE TABLE lead_level_changes (
        id            bigserial PRIMARY KEY,
        org_id        text        NOT NULL,
        unit_id       text        NOT NULL,
        lead_ref      text        NOT NULL,
        lead_id       text        NOT NULL,
        kind          text        NOT NULL,
        ruleset_id    text,
        from_level_id text,
        from_level    text,
        to_level_id   text,
        to_level      text,
        score         double precision NOT NULL,
        cause         text        NOT NULL,
        changed_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX lead_level_changes_lead_idx ON lead_level_changes (lead_ref, id)`);
    await q.query(`CREATE INDEX lead_level_changes_unit_idx ON lead_level_changes (unit_id, id)`);
    await q.query(`CREATE TABLE level_setup_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL DEFAULT 0)`);
    await q.query(`INSERT INTO level_setup_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION bump_level_setup_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE level_setup_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    for (const table of ['levels', 'rulesets']) {
      await q.query(
        `CREATE TRIGGER ${table}_bump_level_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION bump_level_setup_version()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['levels', 'rulesets']) await q.query(`DROP TRIGGER ${table}_bump_level_setup_version ON ${table}`);
    await q.query(`DROP FUNCTION bump_level_setup_version()`);
    await q.query(`DROP TABLE level_setup_version`);
    await q.query(`DROP TABLE lead_level_changes`);
    await q.query(`DROP INDEX leads_engagement_level_idx`);
    await q.query(`ALTER TABLE leads DROP COLUMN engagement_level_id, DROP COLUMN engagement_level`);
    await q.query(`DROP TABLE level_history`);
    await q.query(`DROP TABLE levels`);
  }
}
