import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `lead_scores.terms`: the raw total of a lead's ruleset score as one sum per half-life (`{"0": undecaying,
 * "<days>": …}`), valued at `computed_at`, so that a batch of new events moves the materialised score forward
 * incrementally (scoring/domain/score-terms.ts). NULL (rows written before, or with a future-dated contribution)
 * means "recompute from `event_scores`", which fills it in.
 */
export class LeadScoreTerms1764000000011 implements MigrationInterface {
  name = 'LeadScoreTerms1764000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead_scores ADD COLUMN terms jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lead_scores DROP COLUMN terms`);
  }
}
