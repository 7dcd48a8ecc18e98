import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The job that holds a delivery's lease (issue 18, the fault suite). A worker SIGKILLed mid-send left the row leased
 * for OUTBOUND_TIMEOUT_MS × 2 + 30 s; Bull handed the stalled job to another worker within seconds, but that worker
 * found the row leased and skipped it, so the notification waited for the lease to end and then for the sweeper's
 * next pass (a minute or two). With the job's id on the lease, the same job coming back takes the row over at once.
 * Not indexed: the claim stays a HOT update.
 */
export class DeliveryClaimedBy1764000000200 implements MigrationInterface {
  name = 'DeliveryClaimedBy1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_deliveries ADD COLUMN claimed_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_deliveries DROP COLUMN claimed_by`);
  }
}
