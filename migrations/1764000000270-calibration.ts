import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calibration (issue 16, CAL-1..11).
 * - `conversion_definitions`: one per OU (CAL-1, `PUT` replaces). `event_type_id` holds the event type's name as
 *   `GET /event-types` lists it (kenbun has no numeric event type ids, see README "Calibration").
 * - `calibration_runs`: one row per ruleset per computation (the weekly `calibration.run` job or `?force=1`), with
 *   the cohort it saw; `calibration_rule_results` the per-rule figures of that run (CAL-4, CAL-11) and the
 *   co-occurrence warnings (CAL-10). A rule's calibration is its row in the newest run of its ruleset. Runs of a
 *   ruleset past the newest `CALIBRATION_RUNS_KEPT` are dropped by the job.
 */
export class Calibration1764000000270 implements MigrationInterface {
  name = 'Calibration1764000000270';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversion_definitions (
        id                          uuid PRIMARY KEY,
        org_id                      text        NOT NULL,
        unit_id                     text        NOT NULL UNIQUE REFERENCES org_units(id) ON DELETE CASCADE,
        conversion_type             text        NOT NULL CHECK (conversion_type IN
                                      ('closed_won', 'deal_stage_reached', 'event_type_match', 'engagement_persistence', 'manual_label')),
        event_type_id               text,
        deal_stages                 text[]      NOT NULL DEFAULT '{}',
        engagement_persistence_days integer     NOT NULL DEFAULT 14,
        lookback_days               integer     NOT NULL DEFAULT 90,
        created_by                  text,
        created_at                  timestamptz NOT NULL,
        updated_at                  timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE calibration_runs (
        id               uuid PRIMARY KEY,
        org_id           text             NOT NULL,
        unit_id          text             NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        ruleset_id       text             NOT NULL,
        dimension        text             NOT NULL,
        computed_at      timestamptz      NOT NULL,
        trigger          text             NOT NULL,
        conversion_type  text             NOT NULL,
        lookback_days    integer          NOT NULL,
        cohort_size      integer          NOT NULL,
        conversions      integer          NOT NULL,
        baseline_cr      double precision NOT NULL
      )`);
    await q.query(`CREATE INDEX calibration_runs_ruleset_idx ON calibration_runs (ruleset_id, computed_at DESC)`);
    await q.query(`CREATE INDEX calibration_runs_unit_idx ON calibration_runs (unit_id, computed_at DESC)`);
    await q.query(`
      CREATE TABLE calibration_rule_results (
        run_id            uuid             NOT NULL REFERENCES calibration_runs(id) ON DELETE CASCADE,
        rule_id           text             NOT NULL,
        ruleset_id        text             NOT NULL,
        weight_at_run     integer          NOT NULL,
        sample_size       integer          NOT NULL,
        conversions_count integer          NOT NULL,
        rule_cr           double precision NOT NULL,
        raw_lift          double precision NOT NULL,
        shrunk_lift       double precision NOT NULL,
        confidence        text             NOT NULL,
        suggested_weight  integer,
        co_occurrence     jsonb            NOT NULL DEFAULT '[]'::jsonb,
        PRIMARY KEY (run_id, rule_id)
      )`);
    await q.query(`CREATE INDEX calibration_rule_results_rule_idx ON calibration_rule_results (rule_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calibration_rule_results`);
    await q.query(`DROP TABLE calibration_runs`);
    await q.query(`DROP TABLE conversion_definitions`);
  }
}
