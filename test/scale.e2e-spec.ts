import { Client } from 'pg';
import { LeadEvent } from '../src/modules/leads';
import { callProcess, processedBy, ServerProcess, serviceAccountOf, startMetricsWorker, startServerProcess, useProcessFixture } from './support/server-process';

const WEIGHTS: Record<string, number> = { 'Page View': 3, 'Form Submit': 10, 'Email Open': 1, 'Chat Started': 0 };
const TYPES = Object.keys(WEIGHTS);
const ADMIN = { email: 'scale@example.com', password: 'scale-test-admin-password' };
const LEADS = 200; // leads of the regular traffic
const BATCHES = 20; // of 100 regular events each
const SINGLES = 200; // single-event requests
const DUPLICATES = 100; // client event ids sent through both apis
const RACE_ROUNDS = 4; // rounds of 100 new aliases sent through both apis at once
const RACE_ALIASES = 100;

/**
 * Horizontal scale: two api processes and two worker processes on one database and one Redis. Events are POSTed
 * through both apis at once — regular batches, single events, the same client event ids through both apis, and
 * new aliases through both apis at the same moment (two jobs racing to create the same leads, taken by the two
 * workers). Nothing may be lost or doubled: every event recorded and projected once, one lead per alias, every
 * score the sum of its events' weights, the projections caught up, both workers at work, and both apis giving the
 * same answers.
 */
describe('two api and two worker processes share the work', () => {
  const procs: ServerProcess[] = [];
  let pg: Client | undefined;
  // registered before the fixture's: the processes and the connection go before the database is dropped
  afterAll(async () => {
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    await pg?.end();
  });
  const fixture = useProcessFixture();

  it('records, projects and scores every event exactly once; one lead per alias; both apis answer alike', async () => {
    const env = {
      ...fixture.env(),
      RATE_LIMIT_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      KENBUN_ADMIN_EMAIL: ADMIN.email,
      KENBUN_ADMIN_PASSWORD: ADMIN.password,
      // small jobs and worker batches, so that the two workers interleave (and race) on this modest volume
      INGEST_JOB_MAX_EVENTS: '100',
      INGEST_WORKER_BATCH_EVENTS: '200',
    };
    // the first api migrates and creates the admin; the second starts on the ready database
    const api1 = await startServerProcess({ ...env, KENBUN_ROLES: 'api', LOG_LEVEL: 'warn' });
    procs.push(api1);
    const api2 = await startServerProcess({ ...env, KENBUN_ROLES: 'api', LOG_LEVEL: 'warn' });
    procs.push(api2);
    for (const api of [api1, api2]) expect((await fetch(`${api.base}/health/ready`)).status).toBe(200);
    const apis = [api1, api2];

    const call = callProcess;
    // the credential is made on one api, its active OU set through the other, the rules through both
    const auth = await serviceAccountOf(api1, ADMIN, 'scale-test');
    await call(api2, 'POST', '/org-units/active', auth, { ouId: 'unit_default' });
    const rs = await call(api1, 'POST', '/rulesets', auth, { name: 'Scale test' });
    let r = 0;
    for (const [event_type, weight] of Object.entries(WEIGHTS)) {
      if (weight) await call(apis[r++ % 2], 'POST', '/rules', auth, { ruleset_id: rs.ruleset_id, event_type, weight });
    }
    // a score is the sum of its events' weights: no surge session multipliers (their numbers depend on the order a lead's events are recorded in)
    await call(api1, 'PUT', '/settings/ou/surge-session-policy', auth, { mode: 'off' });

    // two workers, both running before any event arrives
    const workers = await Promise.all([startMetricsWorker(env), startMetricsWorker(env)]);
    procs.push(...workers);

    // the traffic, all at once, over both apis
    const expected = new Map<string, number>(); // alias -> score
    const eventsOf = new Map<string, number>(); // alias -> events
    const count = (alias: string, type: string) => {
      expected.set(alias, (expected.get(alias) ?? 0) + WEIGHTS[type]);
      eventsOf.set(alias, (eventsOf.get(alias) ?? 0) + 1);
    };
    const event = (alias: string, type: string, extra: object = {}) => ({
      aliases: [{ alias_kind: 'external_id', raw_value: alias }],
      event_type: type,
      metadata: { alias },
      ...extra,
    });
    const ingest = async (api: ServerProcess, body: object | object[]): Promise<string[]> => {
      const res = await call(api, 'POST', '/ingest', auth, body, [202]);
      return res.event_ids;
    };
    const sends: Promise<string[]>[] = [];
    let n = 0;
    const next = () => {
      const alias = `lead-${n % LEADS}`;
      const type = TYPES[(n * 7 + Math.floor(n / LEADS)) % TYPES.length];
      n++;
      count(alias, type);
      return event(alias, type);
    };
    // regular batches and single events, alternating apis
    for (let b = 0; b < BATCHES; b++) sends.push(ingest(apis[b % 2], Array.from({ length: 100 }, next)));
    for (let s = 0; s < SINGLES; s++) sends.push(ingest(apis[s % 2], next()));
    // the same client event ids through both apis at once: recorded once, the same server ids from both
    const dupBatch = Array.from({ length: DUPLICATES }, (_, i) => {
      const alias = `lead-${i % LEADS}`;
      count(alias, 'Form Submit');
      return event(alias, 'Form Submit', { event_id: `dup-${i}` });
    });
    const dupAnswers = [ingest(api1, dupBatch), ingest(api2, dupBatch)];
    // new aliases through both apis at the same moment: two jobs, two workers, one lead per alias
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const aliases = Array.from({ length: RACE_ALIASES }, (_, i) => `race-${round}-${i}`);
      for (const a of aliases) {
        count(a, 'Page View');
        count(a, 'Form Submit');
      }
      sends.push(
        ingest(
          api1,
          aliases.map((a) => event(a, 'Page View')),
        ),
        ingest(
          api2,
          aliases.map((a) => event(a, 'Form Submit')),
        ),
      );
    }
    const ids = (await Promise.all(sends)).flat();
    const [dupIds1, dupIds2] = await Promise.all(dupAnswers);
    expect(dupIds1).toEqual(dupIds2);
    ids.push(...dupIds1);
    const total = BATCHES * 100 + SINGLES + DUPLICATES + RACE_ROUNDS * RACE_ALIASES * 2;
    expect(new Set(ids).size).toBe(total);
    expect(ids).toHaveLength(total);

    // wait until every event is projected and every async projection has caught up
    const client = new Client({ connectionString: fixture.db.url });
    pg = client;
    await client.connect();
    const projected = async () => Number((await client.query(`SELECT count(DISTINCT event_id)::int AS n FROM lead_events`)).rows[0].n);
    const checkpoints = async () =>
      (
        await client.query(
          `SELECT c.name, c.status, c.last_error,
                  (SELECT count(*) FROM event_store_events e
                    WHERE (e.transaction_id, e.global_position) > (c.last_transaction_id, c.last_position))::int AS lag
             FROM projection_checkpoints c ORDER BY c.name`,
        )
      ).rows as { name: string; status: string; last_error: string | null; lag: number }[];
    const doneBy = Date.now() + 90_000;
    let seen = await projected();
    let lagging = (await checkpoints()).filter((c) => c.lag > 0);
    while ((seen < total || lagging.length) && Date.now() < doneBy) {
      await new Promise((res) => setTimeout(res, 200));
      seen = await projected();
      lagging = (await checkpoints()).filter((c) => c.lag > 0);
    }
    expect({ projected: seen, lagging }).toEqual({ projected: total, lagging: [] });
    const cps = await checkpoints();
    expect(cps.map((c) => c.name)).toContain('lead-events');
    for (const c of cps) expect(c).toEqual({ name: c.name, status: 'running', last_error: null, lag: 0 });

    // exactly once: the event store and the read model hold each accepted event once, and nothing else
    const stored = await client.query(
      `SELECT count(*)::int AS rows, count(DISTINCT payload->>'event_id')::int AS ids FROM event_store_events WHERE event_type = $1`,
      [LeadEvent.EventRecorded],
    );
    expect(stored.rows[0]).toEqual({ rows: total, ids: total });
    const read = await client.query(`SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM lead_events`);
    expect(read.rows[0]).toEqual({ rows: total, ids: total });
    const ofIds = await client.query(`SELECT count(*)::int AS n FROM lead_events WHERE event_id = ANY($1::uuid[])`, [ids]);
    expect(ofIds.rows[0].n).toBe(total);
    const scoreRows = await client.query(`SELECT count(*)::int AS rows, count(DISTINCT (event_id, ruleset_id))::int AS keys FROM event_scores`);
    expect(scoreRows.rows[0].rows).toBe(scoreRows.rows[0].keys);

    // one lead per alias, with exactly its events
    const leads = await client.query(
      `SELECT a.value AS alias, l.lead_id, (SELECT count(*)::int FROM lead_events e WHERE e.lead_ref = l.id) AS events
         FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.kind = 'external_id'`,
    );
    const aliasCount = LEADS + RACE_ROUNDS * RACE_ALIASES;
    expect(leads.rows).toHaveLength(aliasCount);
    expect(Number((await client.query(`SELECT count(*)::int AS n FROM leads`)).rows[0].n)).toBe(aliasCount);
    expect(Object.fromEntries(leads.rows.map((x) => [x.alias, x.events]))).toEqual(Object.fromEntries(eventsOf));

    // both workers took part; together they recorded each event once and skipped each resent client id once
    const recorded = await Promise.all(workers.map((w) => processedBy(w)));
    const duplicates = await Promise.all(workers.map((w) => processedBy(w, 'duplicate')));
    for (const x of recorded) expect(x).toBeGreaterThan(0);
    expect({ recorded: recorded[0] + recorded[1], duplicates: duplicates[0] + duplicates[1] }).toEqual({ recorded: total, duplicates: DUPLICATES });

    // exact scores, and the same answers through either api: lead by alias, score
    const rows = [...leads.rows] as { alias: string; lead_id: string }[];
    const viaApi = [new Map<string, unknown>(), new Map<string, unknown>()];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let row = rows.shift(); row; row = rows.shift()) {
          for (const [i, api] of apis.entries()) {
            const byAlias = await call(api, 'GET', `/lead/by-alias?kind=external_id&value=${encodeURIComponent(row.alias)}`, auth);
            const score = await call(api, 'GET', `/score/${encodeURIComponent(row.lead_id)}?ruleset=${rs.ruleset_id}`, auth);
            viaApi[i].set(row.alias, { lead_id: byAlias.lead_id, score: score.score });
          }
        }
      }),
    );
    const want = Object.fromEntries(leads.rows.map((x) => [x.alias, { lead_id: x.lead_id, score: expected.get(x.alias) }]));
    expect(Object.fromEntries(viaApi[0])).toEqual(want);
    expect(Object.fromEntries(viaApi[1])).toEqual(want);
    const list = (api: ServerProcess) => call(api, 'GET', '/leads?limit=100&sort_by=score&sort_order=desc', auth);
    const [list1, list2] = await Promise.all([list(api1), list(api2)]);
    expect(list1.total).toBe(aliasCount);
    expect(list2).toEqual(list1);
  }, 180_000);
});
