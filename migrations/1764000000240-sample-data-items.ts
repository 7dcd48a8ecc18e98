import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ADM-4: every entity `POST /admin/seed` created, by kind and id, so that `DELETE /admin/seed` removes exactly those
 * (through each module's own delete path) and nothing a customer created. One row per entity and OU; the primary key
 * serves the wipe's per-OU read.
 */
export class SampleDataItems1764000000240 implements MigrationInterface {
  name = 'SampleDataItems1764000000240';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sample_data_items (
        org_id text NOT NULL,
        unit_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('lead', 'account', 'ruleset', 'rule', 'level', 'trigger', 'segment')),
        entity_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, kind, entity_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sample_data_items`);
  }
}
