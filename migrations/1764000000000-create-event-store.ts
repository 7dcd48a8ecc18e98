import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Append-only event store, snapshots and projection checkpoints.
 * `transaction_id` (xid8) lets readers consume by commit-safe order: a row is read only once every
 * transaction that could still add a lower (transaction_id, global_position) has finished.
 */
export class CreateEventStore1764000000000 implements MigrationInterface {
  name = 'CreateEventStore1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_store_events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid        NOT NULL,
        stream_id       text        NOT NULL,
        stream_type     text        NOT NULL,
        stream_version  integer     NOT NULL CHECK (stream_version > 0),
        event_type      text        NOT NULL,
        payload         jsonb       NOT NULL,
        metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
        org_id          text,
        unit_id         text,
        occurred_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT event_store_events_event_id_key UNIQUE (event_id),
        CONSTRAINT event_store_events_stream_version_key UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX event_store_events_commit_order_idx ON event_store_events (transaction_id, global_position)`);
    await q.query(`
      CREATE TABLE event_store_snapshots (
        stream_id      text PRIMARY KEY,
        stream_type    text        NOT NULL,
        stream_version integer     NOT NULL,
        state          jsonb       NOT NULL,
        taken_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE projection_checkpoints (
        name                text PRIMARY KEY,
        last_transaction_id xid8        NOT NULL DEFAULT '0'::xid8,
        last_position       bigint      NOT NULL DEFAULT 0,
        events_processed    bigint      NOT NULL DEFAULT 0,
        status              text        NOT NULL DEFAULT 'running',
        last_error          text,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE stream_summaries (
        stream_id       text PRIMARY KEY,
        stream_type     text        NOT NULL,
        org_id          text,
        unit_id         text,
        event_count     integer     NOT NULL,
        last_version    integer     NOT NULL,
        last_event_type text        NOT NULL,
        last_event_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX stream_summaries_type_idx ON stream_summaries (stream_type, org_id, unit_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stream_summaries`);
    await q.query(`DROP TABLE projection_checkpoints`);
    await q.query(`DROP TABLE event_store_snapshots`);
    await q.query(`DROP TABLE event_store_events`);
  }
}
