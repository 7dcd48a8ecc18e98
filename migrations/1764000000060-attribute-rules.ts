import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One ruleset engine for four dimensions (issue 12): the `rules` read model also holds attribute rules (profile,
 * account, deal: `property condition comparison_value`, `rule_type` add_points | hard_disqualify, an optional compound
 * `conditions` group, `ui_order`), so `event_type` is only required of engagement rules; `rules.dimension` repeats
 * its ruleset's so reads filter without a join. `rulesets.score_floor_pct` (PRF-5). `leads.profile_level_id` is the
 * profile twin of `engagement_level_id` (migration 1764000000020). Indexes serve the OU-wide profile
 * re-evaluation and the disqualification match counts (PRF-12); `lead_disqualifications` is the PRF-11 trail.
 */
export class AttributeRules1764000000060 implements MigrationInterface {
  name = 'AttributeRules1764000000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rules
        ALTER COLUMN event_type DROP NOT NULL,
        ALTER COLUMN event_type_key DROP NOT NULL,
        ADD COLUMN dimension        text NOT NULL DEFAULT 'engagement',
        ADD COLUMN property         text,
        ADD COLUMN condition        text,
        ADD COLUMN comparison_value text,
        ADD COLUMN rule_type        text NOT NULL DEFAULT 'add_points' CHECK (rule_type IN ('add_points', 'hard_disqualify')),
        ADD COLUMN conditions       jsonb,
        ADD COLUMN ui_order         integer`);
    await q.query(`ALTER TABLE rulesets ADD COLUMN score_floor_pct double precision`);
    await q.query(`ALTER TABLE leads ADD COLUMN profile_level_id text`);
    await q.query(`CREATE INDEX leads_unit_profile_level_idx ON leads (unit_id, profile_level) WHERE status = 'active' AND profile_level IS NOT NULL`);
    await q.query(`CREATE INDEX leads_dq_rule_idx ON leads ((disqualification->>'rule_id')) WHERE disqualified`);
    // PRF-11 / GDPR Art. 22 trail: every entry into and exit from disqualification, with rule, time and reason
    await q.query(`
      CREATE TABLE lead_disqualifications (
        id         bigserial PRIMARY KEY,
        org_id     text        NOT NULL,
        unit_id    text        NOT NULL,
        lead_ref   text        NOT NULL,
        lead_id    text        NOT NULL,
        action     text        NOT NULL CHECK (action IN ('disqualified', 'requalified')),
        dimension  text        NOT NULL,
        rule_id    text,
        ruleset_id text,
        rule_name  text,
        reason     text,
        at         timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX lead_disqualifications_lead_idx ON lead_disqualifications (lead_ref, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE lead_disqualifications`);
    await q.query(`DROP INDEX leads_dq_rule_idx`);
    await q.query(`DROP INDEX leads_unit_profile_level_idx`);
    await q.query(`ALTER TABLE leads DROP COLUMN profile_level_id`);
    await q.query(`ALTER TABLE rulesets DROP COLUMN score_floor_pct`);
    await q.query(`DELETE FROM rules WHERE dimension <> 'engagement'`);
    await q.query(`
      ALTER TABLE rules DROP COLUMN dimension, DROP COLUMN property, DROP COLUMN condition, DROP COLUMN comparison_value,
        DROP COLUMN rule_type, DROP COLUMN conditions, DROP COLUMN ui_order,
        ALTER COLUMN event_type SET NOT NULL, ALTER COLUMN event_type_key SET NOT NULL`);
  }
}
