import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surge session multipliers (SUR-S1..S3).
 * - `surge_session_policies`: one row per OU once a policy was saved (none = Standard). It is part of the scoring
 *   setup the ingest pipeline caches, so its writes move `scoring_setup_version` like the other setup tables
 *   (migration 1764000000012).
 * - `lead_events.surge_multiplier`: the session multiplier each event was recorded with (frozen, SC-1). It belongs
 *   to the event, not to a ruleset, so score-now and dry runs find it even for rulesets that never scored the event.
 */
export class SurgeSessionPolicies1764000000040 implements MigrationInterface {
  name = 'SurgeSessionPolicies1764000000040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surge_session_policies (
        unit_id            text PRIMARY KEY,
        org_id             text             NOT NULL,
        mode               text             NOT NULL CHECK (mode IN ('off', 'standard', 'gentle', 'custom')),
        bands              jsonb            NOT NULL DEFAULT '[]'::jsonb,
        idle_reset_seconds integer          NOT NULL CHECK (idle_reset_seconds >= 1),
        multiplier_cap     double precision NOT NULL CHECK (multiplier_cap BETWEEN 1 AND 3),
        updated_by         text,
        updated_at         timestamptz      NOT NULL
      )`);
    await q.query(
      `CREATE TRIGGER surge_session_policies_bump_scoring_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON surge_session_policies
         FOR EACH STATEMENT EXECUTE FUNCTION bump_scoring_setup_version()`,
    );
    await q.query(`ALTER TABLE lead_events ADD COLUMN surge_multiplier double precision NOT NULL DEFAULT 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead_events DROP COLUMN surge_multiplier`);
    await q.query(`DROP TABLE surge_session_policies`);
  }
}
