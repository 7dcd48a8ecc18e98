import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A trigger's or channel's health (TRG-H, NC-4) names its last failed attempt. Through the (trigger_id, attempted_at)
 * and (channel_id, attempted_at) indexes that lookup walked every attempt of a healthy trigger, newest first, looking
 * for a failure it never found (35 ms at 300,000 attempts, growing with them). These partial indexes hold the failed
 * attempts only: the lookup reads one entry, and a successful delivery — nearly every one — writes nothing to them.
 */
export class FailedAttemptsIndex1764000000290 implements MigrationInterface {
  name = 'FailedAttemptsIndex1764000000290';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX notification_attempts_trigger_failed_idx ON notification_attempts (trigger_id, attempted_at DESC, id DESC) WHERE status = 'failed'`,
    );
    await q.query(
      `CREATE INDEX notification_attempts_channel_failed_idx ON notification_attempts (channel_id, attempted_at DESC, id DESC) WHERE status = 'failed' AND channel_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notification_attempts_channel_failed_idx`);
    await q.query(`DROP INDEX notification_attempts_trigger_failed_idx`);
  }
}
