import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each `leads` page for updated row versions (fillfactor 70), so that the updates of columns no index covers
 * — `metadata` (lead-identity, inline with every metadata change, e.g. an ingest batch's profile mappings) and
 * `profile_score` (the profile-scores projection) — are HOT: the new version stays on its page and none of the
 * table's ten indexes gets an entry. At fillfactor 100 every page is full, no update of `leads` was HOT, and each one
 * wrote an entry into every index. Pages written from now on keep the room; existing ones get it when the table is
 * next rewritten (VACUUM FULL, CLUSTER), which this migration does not do, as it would lock the table.
 */
export class LeadsFillfactor1764000000100 implements MigrationInterface {
  name = 'LeadsFillfactor1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE leads SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE leads RESET (fillfactor)`);
  }
}
