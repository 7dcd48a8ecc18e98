import request from 'supertest';
import { runCli } from './support/server-process';
import { firstRunTenant, login } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';

/** The built CLI (`npm run cli -- …`, `npm run migrate`) boots and its commands reach the database. (`npm test` builds first.) */
describe('CLI', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ roles: ['api'] });
    await firstRunTenant(t);
    env = { DATABASE_URL: t.config.env.DATABASE_URL, REDIS_URL: t.config.env.REDIS_URL, QUEUE_PREFIX: t.config.env.QUEUE_PREFIX };
  });
  afterAll(() => t?.close());

  it('migrate finds nothing pending on a migrated database', async () => {
    const r = await runCli(env, ['migrate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('projections:status lists every projection with its checkpoint', async () => {
    const r = await runCli(env, ['projections:status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lead-events\t\S+\tprocessed=\d+\tposition=\d+$/m);
  }, 60_000);

  it('admin:create makes an admin who can log in', async () => {
    const r = await runCli(env, ['admin:create', '--email', 'second-admin@first.example', '--password', 'second-admin-password-1']);
    expect(r.code).toBe(0);
    const auth = await login(t, 'second-admin@first.example', 'second-admin-password-1');
    expect((await request(t.http).get('/org-units').set(auth.header, auth.value)).status).toBe(200);
  }, 60_000);

  it('job:list prints the scheduled jobs', async () => {
    const r = await runCli(env, ['job:list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^scores\.refresh-decaying\s+7 \* \* \* \*\s+last=- \(-\) next=\d{4}-/m);
  }, 60_000);
});
