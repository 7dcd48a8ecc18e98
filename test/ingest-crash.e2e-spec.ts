import { Client } from 'pg';
import Redis from 'ioredis';
import { LeadEvent } from '../src/modules/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { flushRedisPrefix } from './support/test-app';
import { assertBuilt, ServerProcess, startServerProcess, startWorkerProcess } from './support/server-process';
import { TEST_REDIS_URL, uniqueSuffix } from './support/test-env';

const EVENTS = 10_000;
const BATCH = 500;
const LEADS = 500;
const WEIGHTS: Record<string, number> = { 'Page View': 3, 'Form Submit': 10, 'Email Open': 1, 'Chat Started': 0 };
const TYPES = Object.keys(WEIGHTS);
const ADMIN = { email: 'crash@example.com', password: 'crash-test-admin-password' };

/**
 * Kill the worker: a backlog of 10,000 queued events, a worker SIGKILLed while it is part way through, a new
 * worker. Every event must be recorded and projected exactly once and every score must be exact. The job lock
 * is lowered (QUEUE_LOCK_DURATION_MS) so that Bull redelivers the killed worker's job within seconds.
 */
describe('ingest survives a killed worker', () => {
  let db: TestDatabase;
  let pg: Client;
  const prefix = `kt_${uniqueSuffix()}`;
  const procs: ServerProcess[] = [];

  beforeAll(async () => {
    assertBuilt();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    await pg?.end();
    await flushRedisPrefix(prefix);
    await db?.drop();
  });

  it('records, projects and scores every event exactly once across a SIGKILL of the worker', async () => {
    const env = {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      RATE_LIMIT_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      KENBUN_ADMIN_EMAIL: ADMIN.email,
      KENBUN_ADMIN_PASSWORD: ADMIN.password,
      QUEUE_LOCK_DURATION_MS: '3000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
    };
    const api = await startServerProcess({ ...env, KENBUN_ROLES: 'api', LOG_LEVEL: 'warn' });
    procs.push(api);
    expect((await fetch(`${api.base}/health/ready`)).status).toBe(200);

    const call = async (method: string, path: string, auth: string, body?: unknown, expected = [200, 201]) => {
      const res = await fetch(api.base + path, {
        method,
        headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!expected.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    };
    const login = await call('POST', '/auth/login', '', ADMIN);
    const sa = await call('POST', '/secrets', `Bearer ${login.access_token}`, { name: 'crash-test' });
    const auth = 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64');
    await call('POST', '/org-units/active', auth, { ouId: 'unit_default' });
    const rs = await call('POST', '/rulesets', auth, { name: 'Crash test' });
    for (const [event_type, weight] of Object.entries(WEIGHTS)) {
      if (weight) await call('POST', '/rules', auth, { ruleset_id: rs.ruleset_id, event_type, weight });
    }

    // the backlog, queued while no worker runs
    const expected = new Map<string, number>();
    const ids: string[] = [];
    for (let b = 0; b < EVENTS / BATCH; b++) {
      const events = Array.from({ length: BATCH }, (_, i) => {
        const n = b * BATCH + i;
        const lead = `crash-lead-${n % LEADS}`;
        const type = TYPES[(n * 7 + Math.floor(n / LEADS)) % TYPES.length];
        expected.set(lead, (expected.get(lead) ?? 0) + WEIGHTS[type]);
        return { aliases: [{ alias_kind: 'external_id', raw_value: lead }], event_type: type, metadata: { n } };
      });
      const res = await call('POST', '/ingest', auth, events, [202]);
      expect(res.accepted).toBe(BATCH);
      ids.push(...res.event_ids);
    }
    expect(new Set(ids).size).toBe(EVENTS);

    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const projected = async () => Number((await pg.query(`SELECT count(*)::int AS n FROM lead_events`)).rows[0].n);
    expect(await projected()).toBe(0);

    // first worker: killed part way through
    const first = await startWorkerProcess(env);
    procs.push(first);
    let atKill = 0;
    const killBy = Date.now() + 30_000;
    while (Date.now() < killBy) {
      atKill = await projected();
      if (atKill >= EVENTS * 0.1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal, no clean shutdown
    const redis = new Redis(TEST_REDIS_URL);
    const activeAtKill = await redis.llen(`${prefix}:ingest:active`);
    redis.disconnect();
    expect(atKill).toBeGreaterThanOrEqual(EVENTS * 0.1);
    expect(atKill).toBeLessThanOrEqual(EVENTS * 0.8);

    // second worker: takes over the killed worker's job once its lock expires, and the rest of the backlog
    const second = await startWorkerProcess(env);
    procs.push(second);
    const doneBy = Date.now() + 40_000;
    let n = await projected();
    while (n < EVENTS && Date.now() < doneBy) {
      await new Promise((r) => setTimeout(r, 100));
      n = await projected();
    }
    expect({ projected: n, atKill, activeAtKill }).toEqual({ projected: EVENTS, atKill, activeAtKill });

    // exactly once: in the event store and in the read model
    const stored = await pg.query(
      `SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM event_store_events WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(stored.rows[0]).toEqual({ rows: EVENTS, ids: EVENTS });
    const recorded = await pg.query(
      `SELECT count(*)::int AS rows, count(DISTINCT payload->>'event_id')::int AS ids FROM event_store_events WHERE event_type = $1`,
      [LeadEvent.EventRecorded],
    );
    expect(recorded.rows[0]).toEqual({ rows: EVENTS, ids: EVENTS });
    const read = await pg.query(`SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM lead_events`);
    expect(read.rows[0]).toEqual({ rows: EVENTS, ids: EVENTS });
    const leads = await pg.query(`SELECT a.value AS alias, l.lead_id FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.kind = 'external_id'`);
    expect(leads.rows).toHaveLength(LEADS);
    expect(Number((await pg.query(`SELECT count(*)::int AS n FROM leads`)).rows[0].n)).toBe(LEADS);

    // exact scores, as the API answers them
    const got = new Map<string, number>();
    const rows = [...leads.rows] as { alias: string; lead_id: string }[];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = rows.shift(); r; r = rows.shift()) got.set(r.alias, (await call('GET', `/score/${encodeURIComponent(r.lead_id)}`, auth)).score);
      }),
    );
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    const materialised = await pg.query(
      `SELECT a.value AS alias, s.score FROM lead_scores s JOIN lead_aliases a ON a.lead_ref = s.lead_ref AND a.kind = 'external_id' WHERE s.ruleset_id = $1`,
      [rs.ruleset_id],
    );
    expect(Object.fromEntries(materialised.rows.map((r) => [r.alias, Number(r.score)]))).toEqual(Object.fromEntries(expected));
  }, 90_000);
});
