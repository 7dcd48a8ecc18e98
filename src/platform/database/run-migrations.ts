import { DataSource } from 'typeorm';

/**
 * Applies pending migrations while holding a session advisory lock, so processes starting together
 * (api and worker on a fresh database) migrate one after the other instead of colliding.
 */
export async function runMigrationsExclusively(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('kenbun:migrations'))`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('kenbun:migrations'))`).catch(() => undefined);
    await runner.release();
  }
}
