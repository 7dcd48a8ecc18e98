import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification channels and the one delivery outbox (NC-1..4, NF-1..2, TRG-H; contracts §2, §5).
 * - `notification_channels`: reusable destinations of an OU (slack, teams, webhook, email); `config` holds the
 *   type's fields, secrets (a webhook's auth_header) are sealed in `secret_enc` and never returned.
 * - `notification_deliveries`: the outbox AND the notification record (NF-1). One row per firing and destination,
 *   written in the transaction of the firing that causes it (`dedupe_key` makes a replayed firing write nothing),
 *   drained by the `notification-delivery` queue; `status` pending → delivered | terminal_4xx | retry_exhausted,
 *   `enqueue_failed` when the queue refused the job (the sweeper still re-enqueues it). A worker claims a row
 *   (`claimed_until`) before sending, so a redelivered job never sends it twice.
 * - `notification_attempts`: every send attempt (health: 24-hour counts, last error, the 10 latest attempts).
 *   The surge delivery attempts recorded so far (`surge_deliveries`) move here.
 */
export class NotificationDelivery1764000000110 implements MigrationInterface {
  name = 'NotificationDelivery1764000000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_channels (
        id          uuid        PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        name        text        NOT NULL,
        type        text        NOT NULL CHECK (type IN ('slack', 'teams', 'webhook', 'email')),
        config      jsonb       NOT NULL DEFAULT '{}'::jsonb,
        secret_enc  text,
        created_by  text,
        updated_by  text,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX notification_channels_unit_idx ON notification_channels (unit_id, created_at DESC, id)`);

    await q.query(`
      CREATE TABLE notification_deliveries (
        id              uuid        PRIMARY KEY,
        org_id          text        NOT NULL,
        unit_id         text        NOT NULL,
        dedupe_key      text        NOT NULL UNIQUE,
        trigger_type    text        NOT NULL CHECK (trigger_type IN ('milestone', 'sequence', 'surge', 'pattern')),
        trigger_id      text,
        channel_id      uuid,
        source_id       text        NOT NULL,
        lead_ref        text,
        lead_id         text,
        kind            text        NOT NULL CHECK (kind IN ('webhook', 'teams', 'email', 'slack')),
        target          jsonb       NOT NULL,
        secret_enc      text,
        payload         jsonb       NOT NULL,
        failure_stage   text        NOT NULL CHECK (failure_stage IN ('enqueue', 'dispatch', 'surge_webhook', 'probe')),
        status          text        NOT NULL DEFAULT 'pending'
                                    CHECK (status IN ('pending', 'delivered', 'terminal_4xx', 'retry_exhausted', 'enqueue_failed')),
        attempts        integer     NOT NULL DEFAULT 0,
        http_status     integer,
        last_error      text,
        next_attempt_at timestamptz NOT NULL,
        claimed_until   timestamptz,
        created_at      timestamptz NOT NULL,
        last_attempt_at timestamptz NOT NULL,
        delivered_at    timestamptz
      )`);
    await q.query(`CREATE INDEX notification_deliveries_unit_time_idx ON notification_deliveries (unit_id, last_attempt_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at) WHERE status IN ('pending', 'enqueue_failed')`);
    await q.query(`CREATE INDEX notification_deliveries_lead_idx ON notification_deliveries (lead_ref) WHERE lead_ref IS NOT NULL`);

    await q.query(`
      CREATE TABLE notification_attempts (
        id           uuid        PRIMARY KEY,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        delivery_id  uuid,
        trigger_type text        NOT NULL,
        trigger_id   text,
        channel_id   uuid,
        source_id    text        NOT NULL,
        lead_ref     text,
        destination  text        NOT NULL,
        status       text        NOT NULL CHECK (status IN ('delivered', 'failed')),
        http_status  integer,
        error        text,
        attempted_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX notification_attempts_trigger_time_idx ON notification_attempts (trigger_id, attempted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notification_attempts_channel_time_idx ON notification_attempts (channel_id, attempted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notification_attempts_lead_idx ON notification_attempts (lead_ref) WHERE lead_ref IS NOT NULL`);
    await q.query(`
      INSERT INTO notification_attempts (id, org_id, unit_id, delivery_id, trigger_type, trigger_id, channel_id, source_id, lead_ref, destination, status, http_status, error, attempted_at)
      SELECT d.id, d.org_id, d.unit_id, NULL, 'surge', d.trigger_id, NULL, d.surge_event_id::text, e.lead_ref, d.destination, d.status, d.http_status, d.error, d.attempted_at
        FROM surge_deliveries d LEFT JOIN surge_events e ON e.id = d.surge_event_id`);
    await q.query(`DROP TABLE surge_deliveries`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surge_deliveries (
        id             uuid PRIMARY KEY,
        org_id         text        NOT NULL,
        unit_id        text        NOT NULL,
        trigger_id     text        NOT NULL,
        surge_event_id uuid        NOT NULL,
        destination    text        NOT NULL,
        status         text        NOT NULL CHECK (status IN ('delivered', 'failed')),
        http_status    integer,
        error          text,
        attempted_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX surge_deliveries_trigger_time_idx ON surge_deliveries (trigger_id, attempted_at DESC, id DESC)`);
    await q.query(`CREATE INDEX surge_deliveries_event_idx ON surge_deliveries (surge_event_id)`);
    await q.query(`
      INSERT INTO surge_deliveries (id, org_id, unit_id, trigger_id, surge_event_id, destination, status, http_status, error, attempted_at)
      SELECT id, org_id, unit_id, trigger_id, source_id::uuid, destination, status, http_status, error, attempted_at
        FROM notification_attempts WHERE trigger_type = 'surge' AND destination IN ('webhook', 'teams')`);
    for (const t of ['notification_attempts', 'notification_deliveries', 'notification_channels']) await q.query(`DROP TABLE ${t}`);
  }
}
