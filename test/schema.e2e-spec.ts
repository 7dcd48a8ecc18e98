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
  it('folds the trigger state tables into trigger_lead_scores.state, and back on the way down (1764000000170)', async () => {
    const name = 'TriggerLeadMemory1764000000170';
    const applied = async () => (await ds.query(`SELECT 1 FROM typeorm_migrations WHERE name = $1`, [name])).length > 0;
    while (await applied()) await ds.undoLastMigration({ transaction: 'each' });
    const [e1, e2] = ['0190a0b0-0000-7000-8000-000000000001', '0190a0b0-0000-7000-8000-000000000002'];
    await ds.query(`INSERT INTO trigger_lead_scores (lead_ref, ruleset_id, terms, as_of) VALUES ('lead-1', 'rs', '{}', '2026-01-02T00:00:00Z')`);
    await ds.query(`INSERT INTO trigger_lead_state VALUES ('t1', 'lead-1', 2, '2026-01-02T03:04:05.678Z', true), ('t2', 'lead-1', 0, NULL, false)`);
    await ds.query(
      `INSERT INTO trigger_recent_events VALUES ('t3', 'lead-1', $1, 'page_view', '2026-01-02T00:01:00Z'), ('t3', 'lead-1', $2, 'pricing_page', '2026-01-02T00:00:00Z')`,
      [e1, e2],
    );
    await ds.runMigrations({ transaction: 'each' });
    const [{ state }] = await ds.query(`SELECT state FROM trigger_lead_scores WHERE lead_ref = 'lead-1'`);
    // t2 remembered nothing (never fired, not above): no entry; t3's events oldest first
    expect(state).toEqual({
      t1: { n: 2, l: Date.parse('2026-01-02T03:04:05.678Z'), a: 1 },
      t3: {
        p: [
          [e2, 'pricing_page', Date.parse('2026-01-02T00:00:00Z')],
          [e1, 'page_view', Date.parse('2026-01-02T00:01:00Z')],
        ],
      },
    });

    while (await applied()) await ds.undoLastMigration({ transaction: 'each' });
    expect(await ds.query(`SELECT trigger_id, lead_ref, fired_count, last_fired_at, above FROM trigger_lead_state`)).toEqual([
      { trigger_id: 't1', lead_ref: 'lead-1', fired_count: 2, last_fired_at: new Date('2026-01-02T03:04:05.678Z'), above: true },
    ]);
    expect(await ds.query(`SELECT trigger_id, event_id, event_type_key, occurred_at FROM trigger_recent_events ORDER BY occurred_at`)).toEqual([
      { trigger_id: 't3', event_id: e2, event_type_key: 'pricing_page', occurred_at: new Date('2026-01-02T00:00:00Z') },
      { trigger_id: 't3', event_id: e1, event_type_key: 'page_view', occurred_at: new Date('2026-01-02T00:01:00Z') },
    ]);
    await ds.runMigrations({ transaction: 'each' });
    await ds.query(`DELETE FROM trigger_lead_scores`);
    expect(await ds.showMigrations()).toBe(false);
  });
});
