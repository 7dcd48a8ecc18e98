import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';

/**
 * Generated data loaded fast: drops the secondary indexes of `tables` (those not backing a constraint), runs `load`
 * with triggers and foreign keys off (`session_replication_role = replica`), then rebuilds the indexes. Answers the
 * seconds the index builds took.
 */
export async function bulkLoad(pg: Client, tables: string[], load: () => Promise<void>): Promise<number> {
  const indexes: { indexname: string; indexdef: string }[] = (
    await pg.query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      [tables],
    )
  ).rows;
  for (const i of indexes) await pg.query(`DROP INDEX ${i.indexname}`);
  await pg.query(`SET maintenance_work_mem = '1GB'`);
  await pg.query(`SET session_replication_role = replica`);
  await load();
  await pg.query(`SET session_replication_role = DEFAULT`);
  const t0 = performance.now();
  for (const i of indexes) await pg.query(i.indexdef);
  return (performance.now() - t0) / 1000;
}
