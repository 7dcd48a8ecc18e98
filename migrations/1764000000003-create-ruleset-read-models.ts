import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the Ruleset aggregate (engagement rulesets and their rules), kept by an inline projection. */
export class CreateRulesetReadModels1764000000003 implements MigrationInterface {
  name = 'CreateRulesetReadModels1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rulesets (
        id           text PRIMARY KEY,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        dimension    text        NOT NULL,
        name         text        NOT NULL,
        score_column text        NOT NULL,
        is_primary   boolean     NOT NULL DEFAULT false,
        active       boolean     NOT NULL,
        start_date   date,
        end_date     date,
        created_by   text,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rulesets_unit_idx ON rulesets (org_id, unit_id, dimension)`);
    await q.query(`CREATE UNIQUE INDEX rulesets_one_primary_idx ON rulesets (unit_id, dimension) WHERE is_primary`);
    await q.query(`
      CREATE TABLE rules (
        id             text PRIMARY KEY,
        ruleset_id     text        NOT NULL REFERENCES rulesets(id) ON DELETE CASCADE,
        org_id         text        NOT NULL,
        unit_id        text        NOT NULL,
        event_type     text        NOT NULL,
        event_type_key text        NOT NULL,
        weight         integer     NOT NULL,
        half_life_days integer,
        icon           text,
        active         boolean     NOT NULL,
        start_at       timestamptz,
        end_at         timestamptz,
        priority       integer     NOT NULL,
        filters        jsonb       NOT NULL DEFAULT '[]'::jsonb,
        created_by     text,
        updated_by     text,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rules_ruleset_idx ON rules (ruleset_id, priority)`);
    await q.query(`CREATE INDEX rules_unit_type_idx ON rules (org_id, unit_id, event_type_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rules`);
    await q.query(`DROP TABLE rulesets`);
  }
}
