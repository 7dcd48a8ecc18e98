import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shared columns and tables of fit scoring (issue 12), created once so the profile, account and deal slices agree:
 * - `leads.profile_score`: the score of the OU's primary profile ruleset on the lead's current attributes
 *   (PRF-8: re-evaluated on attribute changes, never decayed); `leads.profile_level` the level it falls in.
 * - `leads.disqualified` and its record (PRF-9, PRF-11): the matching `hard_disqualify` rule, when and why.
 *   `disqualification` is `{rule_id, ruleset_id, dimension, rule_name, reason}`.
 * - `deals`: deals as the HubSpot sync will bring them (DEAL-4), already referenced by account merges (ACC-7)
 *   and scored by deal rulesets (`properties` holds stage, amount and custom CRM properties).
 */
export class FitScoringFoundation1764000000055 implements MigrationInterface {
  name = 'FitScoringFoundation1764000000055';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE leads
        ADD COLUMN profile_score      double precision NOT NULL DEFAULT 0,
        ADD COLUMN profile_level      text,
        ADD COLUMN disqualified       boolean          NOT NULL DEFAULT false,
        ADD COLUMN disqualified_at    timestamptz,
        ADD COLUMN disqualification   jsonb`);
    await q.query(`CREATE INDEX leads_unit_disqualified_idx ON leads (unit_id) WHERE disqualified`);
    await q.query(`
      CREATE TABLE deals (
        id           uuid PRIMARY KEY,
        org_id       text             NOT NULL,
        unit_id      text             NOT NULL,
        external_id  text,
        source       text             NOT NULL DEFAULT 'api',
        name         text             NOT NULL,
        stage        text,
        amount       double precision,
        account_id   text,
        properties   jsonb            NOT NULL DEFAULT '{}'::jsonb,
        deal_score   double precision NOT NULL DEFAULT 0,
        closed_at    timestamptz,
        created_at   timestamptz      NOT NULL,
        updated_at   timestamptz      NOT NULL,
        CONSTRAINT deals_unit_external_key UNIQUE (unit_id, source, external_id)
      )`);
    await q.query(`CREATE INDEX deals_unit_account_idx ON deals (unit_id, account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deals`);
    await q.query(`DROP INDEX leads_unit_disqualified_idx`);
    await q.query(`
      ALTER TABLE leads DROP COLUMN profile_score, DROP COLUMN profile_level, DROP COLUMN disqualified,
        DROP COLUMN disqualified_at, DROP COLUMN disqualification`);
  }
}
