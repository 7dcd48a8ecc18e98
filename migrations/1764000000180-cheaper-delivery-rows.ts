import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper delivery rows (issue 13's ingest cost).
 *
 * Room on each page of `notification_deliveries` for a row's next version: a delivery's claim (`claimed_until`, in no
 * index) then is a HOT update — a new row version on the same page and no entry in any of the table's five indexes.
 * At the default fillfactor (100) the pages are full when the claim comes, a moment after the insert: every claim
 * wrote five index entries (seen: 7 HOT updates of 15,658 in bench:triggers).
 *
 * `notification_attempts_channel_time_idx` only for attempts that have a saved channel: the per-channel health reads
 * are its only users (`channel_id = …`), and attempts to inline destinations (no channel) no longer each add an entry.
 */
export class CheaperDeliveryRows1764000000180 implements MigrationInterface {
  name = 'CheaperDeliveryRows1764000000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_deliveries SET (fillfactor = 50)`);
    await q.query(`DROP INDEX notification_attempts_channel_time_idx`);
    await q.query(
      `CREATE INDEX notification_attempts_channel_time_idx ON notification_attempts (channel_id, attempted_at DESC, id DESC) WHERE channel_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notification_attempts_channel_time_idx`);
    await q.query(`CREATE INDEX notification_attempts_channel_time_idx ON notification_attempts (channel_id, attempted_at DESC, id DESC)`);
    await q.query(`ALTER TABLE notification_deliveries RESET (fillfactor)`);
  }
}
