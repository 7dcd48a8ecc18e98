import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owner DMs for trigger firings and Slack "ruleset published" posts (OWN-1, RS-7, SL-5).
 * - `triggers.notify_owner`, `surge_triggers.notify_owner`: "Notify the Lead Owner" (default false).
 * - `notification_deliveries.trigger_type` also takes `ruleset` (a publish post goes through the one outbox).
 * - `ruleset_publish_posts`: each ruleset event the publish-post projection looked at, once (event id), with the
 *   outbox row it queued if any. Every ruleset create/update already stored is marked as seen here, so turning the
 *   feature on never posts history.
 */
export class OwnerDmPublishPosts1764000000160 implements MigrationInterface {
  name = 'OwnerDmPublishPosts1764000000160';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE triggers ADD COLUMN notify_owner boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE surge_triggers ADD COLUMN notify_owner boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_trigger_type_check`);
    await q.query(
      `ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_trigger_type_check
         CHECK (trigger_type IN ('milestone', 'sequence', 'surge', 'pattern', 'ruleset'))`,
    );
    await q.query(`
      CREATE TABLE ruleset_publish_posts (
        event_id    uuid PRIMARY KEY,
        org_id      text,
        unit_id     text,
        ruleset_id  text        NOT NULL,
        delivery_id uuid,
        seen_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO ruleset_publish_posts (event_id, org_id, unit_id, ruleset_id)
      SELECT event_id, org_id, unit_id, stream_id FROM event_store_events
       WHERE stream_type = 'ruleset' AND event_type IN ('RulesetCreated', 'RulesetUpdated')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ruleset_publish_posts`);
    await q.query(`DELETE FROM notification_attempts WHERE trigger_type = 'ruleset'`);
    await q.query(`DELETE FROM notification_deliveries WHERE trigger_type = 'ruleset'`);
    await q.query(`ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_trigger_type_check`);
    await q.query(
      `ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_trigger_type_check
         CHECK (trigger_type IN ('milestone', 'sequence', 'surge', 'pattern'))`,
    );
    await q.query(`ALTER TABLE surge_triggers DROP COLUMN notify_owner`);
    await q.query(`ALTER TABLE triggers DROP COLUMN notify_owner`);
  }
}
