import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `notification_dead_letters{status}` in /metrics counts the outbox rows given up (`terminal_4xx`, `retry_exhausted`)
 * on every scrape. The outbox keeps every delivery, so without this index each scrape read the whole table; this one
 * holds the given-up rows only (few), and a delivered row never enters it.
 */
export class NotificationDeadLettersIndex1764000000190 implements MigrationInterface {
  name = 'NotificationDeadLettersIndex1764000000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX notification_deliveries_given_up_idx ON notification_deliveries (status) WHERE status IN ('terminal_4xx', 'retry_exhausted')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notification_deliveries_given_up_idx`);
  }
}
