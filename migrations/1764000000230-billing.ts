import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage and billing (behaviour §17, G-11, contracts §6).
 * - `billing_subscriptions`: one row per organization once the billing provider has told us about it (no row =
 *   `none`, never gated). Written only by the billing webhook.
 * - `billing_webhook_events`: every webhook id applied (or deliberately ignored), written in the same transaction
 *   as the change it made: a replay finds its id and changes nothing.
 * - `usage_counters`: accepted ingested/imported events per organization, OU and calendar month (UTC), added to
 *   once per ingest batch in the batch's own transaction. `shard` (the PostgreSQL backend's pid modulo 8) keeps
 *   parallel batch transactions of one OU from queueing on one row; readers sum the shards.
 */
export class Billing1764000000230 implements MigrationInterface {
  name = 'Billing1764000000230';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing_subscriptions (
        org_id          text PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        status          text        NOT NULL CHECK (status IN ('active', 'trialing', 'past_due', 'canceled', 'ended', 'expired')),
        trial_ends_at   timestamptz,
        last_event_type text        NOT NULL,
        last_webhook_id text        NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE billing_webhook_events (
        webhook_id  text PRIMARY KEY,
        type        text        NOT NULL,
        org_id      text,
        outcome     text        NOT NULL CHECK (outcome IN ('applied', 'ignored')),
        received_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE usage_counters (
        org_id  text     NOT NULL,
        month   date     NOT NULL,
        unit_id text     NOT NULL,
        shard   smallint NOT NULL,
        events  bigint   NOT NULL,
        PRIMARY KEY (org_id, month, unit_id, shard)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usage_counters`);
    await q.query(`DROP TABLE billing_webhook_events`);
    await q.query(`DROP TABLE billing_subscriptions`);
  }
}
