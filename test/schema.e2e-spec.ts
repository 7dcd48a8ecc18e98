import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../ormconfig';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Entities and migrations must agree: the schema TypeORM would build from the entities is the migrated one. */
describe('schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource({ ...dataSourceOptions(db.url, 2), logging: false }).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('has no pending migration and no difference between entities and tables', async () => {
    expect(await ds.showMigrations()).toBe(false);
    const pending = await ds.driver.createSchemaBuilder().log();
    // The migrations declare more than the entities (foreign keys, checks, unique keys, indexes, defaults);
    // TypeORM proposes dropping those, which is expected. Anything else (a missing table or column, another
    // type or nullability) means an entity and the migrations disagree.
    const extraInDatabase = /DROP CONSTRAINT|DROP INDEX|DROP DEFAULT/;
    expect(pending.upQueries.map((q) => q.query).filter((q) => !extraInDatabase.test(q))).toEqual([]);
  });

  it('migrates down and up again cleanly', async () => {
    const applied = (await ds.query(`SELECT count(*)::int AS n FROM typeorm_migrations`))[0].n;
    for (let i = 0; i < applied; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect((await ds.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`))[0].n).toBe(0);
    await ds.runMigrations({ transaction: 'each' });
    expect(await ds.showMigrations()).toBe(false);
  });
});
