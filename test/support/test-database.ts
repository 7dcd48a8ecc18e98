import { dropDatabase, ensureDatabase } from '../../src/platform/database/ensure-database';
import { databaseUrl, templateName, uniqueSuffix } from './test-env';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = databaseUrl(`kenbun_test_${uniqueSuffix()}`);
  await ensureDatabase(url, templateName());
  return { url, drop: () => dropDatabase(url) };
}
