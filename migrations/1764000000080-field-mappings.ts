import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Field mappings (PRF-3, PRF-4): event metadata key → profile property (lead metadata) or account property, with an
 * update behaviour; their change history; and the distinct metadata keys per OU (PRF-15), kept as small read models
 * so listing them never scans every lead.
 * - `field_mappings.target`: `profile` or `account` (one mechanism for both).
 * - `field_mapping_history`: one row per create, update or delete, with who, when, and the mapping before and after.
 * - `lead_metadata_keys`: every top-level key seen in a lead's metadata (projection `lead-metadata-keys`).
 * - `account_metadata_keys`: every top-level key written to an account's metadata through account mappings.
 * The ingest pipeline caches an OU's mappings with the scoring setup counter (migration 1764000000012), so
 * `field_mappings` moves it like every other setup table.
 */
export class FieldMappings1764000000080 implements MigrationInterface {
  name = 'FieldMappings1764000000080';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE field_mappings (
        id              text        PRIMARY KEY,
        org_id          text        NOT NULL,
        unit_id         text        NOT NULL,
        target          text        NOT NULL CHECK (target IN ('profile', 'account')),
        source_field    text        NOT NULL,
        property        text        NOT NULL,
        update_behavior text        NOT NULL DEFAULT 'always_latest' CHECK (update_behavior IN ('always_latest', 'set_once', 'append')),
        created_by      text,
        updated_by      text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        CONSTRAINT field_mappings_unit_target_pair_key UNIQUE (unit_id, target, source_field, property)
      )`);
    await q.query(`
      CREATE TABLE field_mapping_history (
        id          text        PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        target      text        NOT NULL,
        mapping_id  text        NOT NULL,
        action      text        NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        before      jsonb,
        after       jsonb,
        actor       text,
        created_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX field_mapping_history_unit_idx ON field_mapping_history (unit_id, target, created_at DESC, id DESC)`);
    for (const table of ['lead_metadata_keys', 'account_metadata_keys']) {
      await q.query(`
        CREATE TABLE ${table} (
          unit_id        text        NOT NULL,
          key            text        NOT NULL,
          org_id         text        NOT NULL,
          first_seen_at  timestamptz NOT NULL,
          PRIMARY KEY (unit_id, key)
        )`);
    }
    await q.query(
      `CREATE TRIGGER field_mappings_bump_scoring_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON field_mappings
         FOR EACH STATEMENT EXECUTE FUNCTION bump_scoring_setup_version()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER field_mappings_bump_scoring_setup_version ON field_mappings`);
    await q.query(`DROP TABLE account_metadata_keys`);
    await q.query(`DROP TABLE lead_metadata_keys`);
    await q.query(`DROP TABLE field_mapping_history`);
    await q.query(`DROP TABLE field_mappings`);
  }
}
