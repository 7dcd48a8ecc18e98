import { api, serviceAccount, setRateLimit, Tenant } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

describe('Rate limits per credential', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ roles: ['api'], rival: 'Observer Inc', activate: false }));
  });
  afterAll(() => t.close());

  it('counts down in the headers, answers 429 with Retry-After after the burst, per credential', async () => {
    const sa = await serviceAccount(t, a, 'limited');
    const other = await serviceAccount(t, a, 'unaffected');
    await setRateLimit(t, a.orgId, { per_minute: 60, burst: 5, mode: 'enforce' });
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api(t, sa.auth).get('/me/rate-limit').expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('60');
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      remaining.push(Number(res.headers['x-ratelimit-remaining']));
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const limited = await api(t, sa.auth).get('/me/rate-limit');
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    // another credential of the same organization has its own bucket
    expect((await api(t, other.auth).get('/me/rate-limit')).status).toBe(200);
    // one token per second refills
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api(t, sa.auth).get('/me/rate-limit')).status).toBe(200);
    await setRateLimit(t, a.orgId, null);
  });

  it('observe mode only reports: headers reach 0 but nothing is refused', async () => {
    await setRateLimit(t, b.orgId, { per_minute: 60, burst: 2, mode: 'observe' });
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 4; i++) {
      const res = await api(t, b.admin).get('/me/rate-limit');
      statuses.push(res.status);
      last = res.headers['x-ratelimit-remaining'];
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(last).toBe('0');
    expect((await api(t, b.admin).get('/me/rate-limit')).body.mode).toBe('observe');
  });

  it('keys the bucket in Redis, so two api processes share one limit', async () => {
    const second = await startTestApp({ roles: ['api'], db: t.db, env: { QUEUE_PREFIX: t.config.env.QUEUE_PREFIX } });
    try {
      const sa = await serviceAccount(t, a, 'shared');
      await setRateLimit(t, a.orgId, { per_minute: 60, burst: 4, mode: 'enforce' });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await api(i % 2 ? second : t, sa.auth).get('/me/rate-limit')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await setRateLimit(t, a.orgId, null);
      await second.app.close();
    }
  });
});
