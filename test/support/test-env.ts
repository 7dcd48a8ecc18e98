/** Where the test services are; the same defaults as .env.example. */
export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  return `${TEST_DATABASE_SERVER.replace(/\/+$/, '')}/${name}`;
}

export function templateName(): string {
  const name = process.env.KENBUN_TEST_TEMPLATE;
  if (!name) throw new Error('KENBUN_TEST_TEMPLATE is not set: run e2e tests through jest (global setup)');
  return name;
}

export function uniqueSuffix(): string {
  return `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
