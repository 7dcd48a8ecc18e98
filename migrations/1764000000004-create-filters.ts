import { MigrationInterface, QueryRunner } from 'typeorm';

/** Event suppression filters of an OU: velocity ("inorganic") filters and metadata attribute filters. */
export class CreateFilters1764000000004 implements MigrationInterface {
  name = 'CreateFilters1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE velocity_filters (
        id              text PRIMARY KEY,
        org_id          text        NOT NULL,
        unit_id         text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        event_type      text        NOT NULL,
        event_type_key  text        NOT NULL,
        count_threshold integer     NOT NULL CHECK (count_threshold >= 0),
        time_window_ms  integer     NOT NULL CHECK (time_window_ms > 0),
        group_events    boolean     NOT NULL,
        created_by      text,
        updated_by      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX velocity_filters_unit_idx ON velocity_filters (org_id, unit_id, event_type_key)`);
    await q.query(`
      CREATE TABLE metadata_filters (
        id               text PRIMARY KEY,
        org_id           text        NOT NULL,
        unit_id          text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        name             text        NOT NULL,
        event_type       text        NOT NULL DEFAULT '',
        conditions       jsonb       NOT NULL,
        enabled          boolean     NOT NULL,
        suppressed_count bigint      NOT NULL DEFAULT 0,
        created_by       text,
        updated_by       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX metadata_filters_unit_idx ON metadata_filters (org_id, unit_id, enabled)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE metadata_filters`);
    await q.query(`DROP TABLE velocity_filters`);
  }
}
