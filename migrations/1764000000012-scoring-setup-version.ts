import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table the scoring setup of an OU is read from (ScoringSetupService). */
const SETUP_TABLES = ['rulesets', 'rules', 'velocity_filters', 'metadata_filters', 'event_type_settings', 'scoring_settings'];

/**
 * `scoring_setup_version`: one counter, moved by every statement that writes a table of the scoring setup, in that
 * statement's transaction. The ingest pipeline reads the setup of an OU for every batch; a process keeps what it
 * read with the counter it saw and reads it again only when the counter moved, so a committed change is used by the
 * next batch in every process, and no writer can forget to announce one. Setup changes are rare administrative
 * writes: that they queue on this row until commit costs nothing noticeable.
 */
export class ScoringSetupVersion1764000000012 implements MigrationInterface {
  name = 'ScoringSetupVersion1764000000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE scoring_setup_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL DEFAULT 0)`);
    await q.query(`INSERT INTO scoring_setup_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION bump_scoring_setup_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE scoring_setup_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    for (const table of SETUP_TABLES) {
      await q.query(
        `CREATE TRIGGER ${table}_bump_scoring_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION bump_scoring_setup_version()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of SETUP_TABLES) await q.query(`DROP TRIGGER ${table}_bump_scoring_setup_version ON ${table}`);
    await q.query(`DROP FUNCTION bump_scoring_setup_version()`);
    await q.query(`DROP TABLE scoring_setup_version`);
  }
}
