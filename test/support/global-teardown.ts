import { dropDatabase } from '../../src/platform/database/ensure-database';
import { databaseUrl } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.KENBUN_TEST_TEMPLATE;
  if (name) await dropDatabase(databaseUrl(name));
}
