import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `segment_pending_rechecks`: leads whose events the membership projection could not re-evaluate against a segment
 * because a whole-segment pass (the recompute after a configuration change, the hourly refresh) held the segment's
 * lock. The projection leaves them here and moves on, instead of waiting for the pass (at 1,000,000 leads a pass holds
 * the lock for about two seconds, and every OU's membership waited with it); the pass re-evaluates them before it
 * commits, and a follow-up job takes those committed after that. Erasing the lead or deleting the segment drops them.
 */
export class SegmentPendingRechecks1764000000300 implements MigrationInterface {
  name = 'SegmentPendingRechecks1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE segment_pending_rechecks (
        segment_id text NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
        lead_ref   text NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        PRIMARY KEY (segment_id, lead_ref)
      )`);
    // the cascade from an erased lead
    await q.query(`CREATE INDEX segment_pending_rechecks_lead_idx ON segment_pending_rechecks (lead_ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE segment_pending_rechecks`);
  }
}
