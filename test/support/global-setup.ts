import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { dropDatabase, ensureDatabase } from '../../src/platform/database/ensure-database';
import { databaseUrl, uniqueSuffix } from './test-env';

/**
 * Creates one migrated template database per test run; each e2e file clones it (CREATE DATABASE … TEMPLATE),
 * which is much faster than migrating a fresh database every time and still gives each file its own.
 */
export default async function globalSetup(): Promise<void> {
  const name = `kenbun_tpl_${uniqueSuffix()}`;
  const url = databaseUrl(name);
  await dropDatabase(url);
  await ensureDatabase(url);
  const ds = await new DataSource({ ...dataSourceOptions(url, 2), logging: false }).initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env.KENBUN_TEST_TEMPLATE = name;
}
