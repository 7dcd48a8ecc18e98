/**
 * The fault suite (`npm run test:faults`; CI runs it after the e2e tests): the built server as real processes —
 * two api processes and a worker — on a PostgreSQL and a Redis of the suite's own (support/services.ts), under a
 * steady load of single and batched ingest requests with rules, engagement levels, a milestone trigger and a
 * webhook channel active. Each scenario injects its faults while the load runs, then stops the load (resending
 * what was not answered 202 until it is), waits for the system to settle and checks its own events and leads:
 *
 * - every event answered 202 is stored once in the event store, recorded once, projected once;
 * - every lead's score equals the sum of its events' weights (a recomputation from the events);
 * - every lead that reached the milestone has exactly one firing, and every firing was delivered to the webhook
 *   receiver at least once, always with the same delivery id (`X-Kenbun-Delivery-Id`, the idempotency key);
 * - after each fault a new event is accepted and scored: the time to recover, counted from the kill (a killed process
 *   is started again at once, as a supervisor would; its start is part of it) or from PostgreSQL or Redis being back
 *   (the outage itself is reported apart); `/health/ready` answers 503 while PostgreSQL or
 *   Redis is down and 200 once it is back;
 * - while Redis is stopped, ingest answers 503 and never 202.
 *
 * The last test stops the worker and rebuilds the lead, score and trigger projections from the event store: the
 * rebuilt read models equal the live ones and no notification is sent again. The report (per scenario: requests,
 * 202s, events stored and scored, duplicates, losses, deliveries, duplicate deliveries, recovery times) is printed
 * and written to FAULTS_REPORT (default `fault-report.json` in the working directory).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'pg';
import { callProcess, CLI_SCRIPT, freePort, ServerProcess, serviceAccountOf, startMetricsWorker, startServerProcess } from '../support/server-process';
import { IngestLoad, WEIGHTS } from './support/load';
import { OwnPostgres, OwnRedis } from './support/services';

const ADMIN = { email: 'faults@example.com', password: 'fault-suite-admin-password' };
const THRESHOLD = 60;
const LEADS = 150;
/** requests per second (half single events, half batches of BATCH) */
const RATE = Number(process.env.FAULTS_RATE ?? 40);
const BATCH = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

interface ScenarioReport {
  scenario: string;
  faults: number;
  requests: number;
  answers: Record<string, number>;
  accepted_202: number;
  events: number;
  stored: number;
  recorded: number;
  projected: number;
  duplicates: number;
  losses: number;
  score_mismatches: number;
  milestones_expected: number;
  firings: number;
  firing_duplicates: number;
  deliveries: number;
  delivered: number;
  receipts: number;
  receipt_duplicates: number;
  recover_ms: number[];
  /** PostgreSQL or Redis down (stop → started again) */
  outage_ms: number[];
  /** the probe of recover_ms answered 202 */
  accept_ms: number[];
  /** the killed process started again and ready (part of recover_ms) */
  restart_ms: number[];
  ready_during_outage: string[];
  accepted_during_redis_outage: number;
}

jest.setTimeout(15 * 60_000);

describe('faults: nothing lost, nothing doubled', () => {
  const pg = new OwnPostgres();
  const redis = new OwnRedis();
  const apiPorts: number[] = [];
  const apis: (ServerProcess | null)[] = [null, null];
  let worker: ServerProcess | null = null;
  let pool: Pool;
  let auth = '';
  let rulesetId = '';
  let triggerId = '';
  const reports: ScenarioReport[] = [];
  /** delivery id → how often the receiver got it */
  const receipts = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    const id = String(req.headers['x-kenbun-delivery-id'] ?? '');
    receipts.set(id, (receipts.get(id) ?? 0) + 1);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  let probes = 0;
  /** the output of processes that were killed (FAULTS_LOG_DIR) */
  const logs: { name: string; text: string }[] = [];

  const env = (): Record<string, string> => ({
    DATABASE_URL: pg.url('kenbun'),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'faults',
    RATE_LIMIT_ENABLED: 'false',
    KENBUN_ADMIN_EMAIL: ADMIN.email,
    KENBUN_ADMIN_PASSWORD: ADMIN.password,
    // a killed worker's jobs come back within seconds, not the default 30 s
    QUEUE_LOCK_DURATION_MS: '3000',
    QUEUE_STALLED_INTERVAL_MS: '1000',
    OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    OUTBOUND_TIMEOUT_MS: '5000',
    NOTIFICATION_RETRY_BASE_MS: '1000',
  });
  const bases = () => apiPorts.map((p) => `http://127.0.0.1:${p}`);

  async function startApi(i: number): Promise<void> {
    const api = await startServerProcess({ ...env(), PORT: String(apiPorts[i]), KENBUN_ROLES: 'api', SCHEDULER_ENABLED: 'false', LOG_LEVEL: 'warn' });
    apis[i] = api;
    // the first start migrates an empty database, which can take longer than the helper waits
    const deadline = Date.now() + 120_000;
    while (!(await fetch(`${bases()[i]}/health/ready`).catch(() => undefined))?.ok) {
      if (api.child.exitCode !== null || Date.now() > deadline) throw new Error(`api ${i} did not become ready:\n${api.output().slice(-3000)}`);
      await sleep(200);
    }
  }
  async function startWorker(): Promise<void> {
    worker = await startMetricsWorker({ ...env(), SCHEDULER_ENABLED: 'true' });
    if (worker.child.exitCode !== null) throw new Error(`the worker did not start:\n${worker.output().slice(-3000)}`);
  }
  async function killWorker(): Promise<void> {
    const w = worker!;
    w.child.kill('SIGKILL');
    await w.exited;
    logs.push({ name: 'worker-killed', text: w.output() });
  }

  /** A query on the suite's PostgreSQL, tried again while the server restarts. */
  async function q<T = any>(text: string, params: unknown[] = [], timeoutMs = 60_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await pool.query(text, params)).rows as T[];
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  }

  /**
   * How long until an event sent now (resent until accepted) is scored: the system has recovered. `accepted` gets
   * how long until it was answered 202.
   */
  async function recovery(since: number, accepted?: number[]): Promise<number> {
    const lead = `probe-${++probes}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${lead} was not accepted within 120 s`);
      const base = bases()[probes % 2];
      const res = await fetch(`${base}/ingest`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ event_id: lead, event_type: 'Form Submit', aliases: [{ alias_kind: 'external_id', raw_value: lead }] }),
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      if (res?.status === 202) {
        accepted?.push(Date.now() - since);
        break;
      }
      await sleep(100);
    }
    for (;;) {
      const [row] = await q(
        `SELECT s.score FROM lead_scores s JOIN lead_aliases a ON a.lead_ref = s.lead_ref AND a.kind = 'external_id' WHERE a.value = $1 AND s.ruleset_id = $2`,
        [lead, rulesetId],
      );
      if (row && Number(row.score) === WEIGHTS['Form Submit']) return Date.now() - since;
      if (Date.now() > deadline) throw new Error(`${lead} was not scored within 120 s`);
      await sleep(100);
    }
  }

  /** What /health/ready answers on every api (status codes, or "down"). */
  async function readiness(): Promise<string> {
    const codes = await Promise.all(
      bases().map((b) =>
        fetch(`${b}/health/ready`, { signal: AbortSignal.timeout(5000) })
          .then((r) => String(r.status))
          .catch(() => 'down'),
      ),
    );
    return codes.join('/');
  }

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    await pg.init();
    await redis.start();
    pool = new Pool({ connectionString: pg.url('postgres'), max: 4 });
    pool.on('error', () => undefined); // a restart ends idle connections; the next query reconnects
    await q(`CREATE DATABASE kenbun`);
    await pool.end();
    pool = new Pool({ connectionString: pg.url('kenbun'), max: 4 });
    pool.on('error', () => undefined);
    apiPorts.push(await freePort(), await freePort());
    await startApi(0); // migrates and seeds the organization, OU and admin
    await startApi(1);
    await startWorker();

    const api = { base: bases()[0] };
    auth = await serviceAccountOf(api, ADMIN, 'fault-suite');
    await callProcess(api, 'POST', '/org-units/active', auth, { ouId: 'unit_default' });
    rulesetId = (await callProcess(api, 'POST', '/rulesets', auth, { name: 'Faults' })).ruleset_id;
    for (const [event_type, weight] of Object.entries(WEIGHTS)) await callProcess(api, 'POST', '/rules', auth, { ruleset_id: rulesetId, event_type, weight });
    // scores are the plain sum of the events' weights (no surge session multipliers, which depend on recording order)
    await callProcess(api, 'PUT', '/settings/ou/surge-session-policy', auth, { mode: 'off' });
    await callProcess(api, 'POST', '/engagement-levels', auth, { name: 'Warm', min_score: 0, max_score: THRESHOLD - 1 });
    await callProcess(api, 'POST', '/engagement-levels', auth, { name: 'Hot', min_score: THRESHOLD, max_score: 1_000_000 });
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const channel = await callProcess(api, 'POST', '/notification-channels', auth, { name: 'Sales webhook', type: 'webhook', config: { url: hook } });
    triggerId = (
      await callProcess(api, 'POST', '/triggers', auth, {
        name: 'Hot lead',
        score_threshold: THRESHOLD,
        notification_channel_id: channel.id,
      })
    ).trigger_id;
    expect(triggerId).toBeTruthy();
    expect(await recovery(Date.now())).toBeGreaterThan(0); // the pipeline works end to end before any fault
  }, 180_000);

  afterAll(async () => {
    for (const p of [...apis, worker]) p?.kill();
    await Promise.all([...apis, worker].map((p) => p?.exited));
    // the processes' own logs, to read after a failure (FAULTS_LOG_DIR)
    if (process.env.FAULTS_LOG_DIR) {
      mkdirSync(process.env.FAULTS_LOG_DIR, { recursive: true });
      logs.push(...[...apis, worker].filter((p): p is ServerProcess => !!p).map((p, i) => ({ name: `last-${i}`, text: p.output() })));
      logs.forEach((l, i) => writeFileSync(join(process.env.FAULTS_LOG_DIR!, `${String(i).padStart(3, '0')}-${l.name}.log`), l.text));
    }
    await pool?.end().catch(() => undefined);
    await redis.destroy();
    pg.destroy();
    receiver.close();
    const text = JSON.stringify(reports, null, 2);
    writeFileSync(process.env.FAULTS_REPORT ?? 'fault-report.json', text);
    console.log(`fault suite report\n${table(reports)}`);
  });

  /**
   * Runs `inject` (the faults) under load, then settles and checks the scenario's own events, leads, firings and
   * deliveries. `inject` returns the recovery times it measured.
   */
  async function scenario(name: string, faults: number, inject: (load: IngestLoad, report: ScenarioReport) => Promise<void>, leads = LEADS): Promise<void> {
    const load = new IngestLoad(name, leads, bases, auth);
    const report: ScenarioReport = {
      scenario: name,
      faults,
      requests: 0,
      answers: {},
      accepted_202: 0,
      events: 0,
      stored: 0,
      recorded: 0,
      projected: 0,
      duplicates: 0,
      losses: 0,
      score_mismatches: 0,
      milestones_expected: 0,
      firings: 0,
      firing_duplicates: 0,
      deliveries: 0,
      delivered: 0,
      receipts: 0,
      receipt_duplicates: 0,
      recover_ms: [],
      accept_ms: [],
      outage_ms: [],
      restart_ms: [],
      ready_during_outage: [],
      accepted_during_redis_outage: 0,
    };
    reports.push(report);
    load.start(RATE, BATCH);
    await sleep(2000);
    try {
      await inject(load, report);
      await sleep(2000);
    } finally {
      await load.stop(120_000);
    }
    report.requests = load.requestsSent;
    report.answers = Object.fromEntries(load.statuses);
    report.accepted_202 = load.statuses.get('202') ?? 0;
    report.events = load.eventsMade;
    expect(load.accepted.size).toBe(load.eventsMade);
    const ids = [...new Set(load.accepted.values())];
    expect(ids).toHaveLength(load.eventsMade);

    // every accepted event projected (the worker may still be catching up on a backlog)
    const settleBy = Date.now() + 180_000;
    for (;;) {
      const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM lead_events WHERE event_id = ANY($1::uuid[])`, [ids]);
      if (n >= ids.length || Date.now() > settleBy) break;
      await sleep(250);
    }
    const [stored] = await q(`SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM event_store_events WHERE event_id = ANY($1::uuid[])`, [
      ids,
    ]);
    const [recorded] = await q(
      `SELECT count(*)::int AS rows, count(DISTINCT payload->>'event_id')::int AS ids FROM event_store_events
        WHERE event_type = 'LeadEventRecorded' AND payload->>'event_id' = ANY($1::text[])`,
      [ids],
    );
    const [projected] = await q(`SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM lead_events WHERE event_id = ANY($1::uuid[])`, [ids]);
    report.stored = stored.ids;
    report.recorded = recorded.ids;
    report.projected = projected.ids;
    report.duplicates = stored.rows - stored.ids + (recorded.rows - recorded.ids) + (projected.rows - projected.ids);
    report.losses = ids.length - Math.min(stored.ids, recorded.ids, projected.ids);

    // scores: the sum of each lead's events' weights
    const scores = await q<{ alias: string; score: string; lead_ref: string }>(
      `SELECT a.value AS alias, s.score, a.lead_ref FROM lead_aliases a JOIN lead_scores s ON s.lead_ref = a.lead_ref AND s.ruleset_id = $2
        WHERE a.kind = 'external_id' AND a.value LIKE $1`,
      [`${name}-lead-%`, rulesetId],
    );
    const got = new Map(scores.map((r) => [r.alias, Number(r.score)]));
    report.score_mismatches = [...load.expected].filter(([lead, s]) => got.get(lead) !== s).length + Math.max(0, got.size - load.expected.size);

    // the milestone: one firing per lead that reached it, none for the others
    const hot = new Set([...load.expected].filter(([, s]) => s >= THRESHOLD).map(([lead]) => lead));
    report.milestones_expected = hot.size;
    const firings = await q<{ alias: string; n: number }>(
      `SELECT a.value AS alias, count(*)::int AS n FROM milestone_events m JOIN lead_aliases a ON a.lead_ref = m.lead_ref AND a.kind = 'external_id'
        WHERE m.trigger_id = $1 AND m.kind = 'reached' AND a.value LIKE $2 GROUP BY a.value`,
      [triggerId, `${name}-lead-%`],
    );
    report.firings = firings.length;
    report.firing_duplicates = firings.reduce((s, f) => s + f.n - 1, 0);
    const firedWrongly = firings.filter((f) => !hot.has(f.alias)).length;

    // every firing delivered, at least once, under one delivery id
    const deliverBy = Date.now() + 150_000;
    let deliveries: { id: string; status: string }[];
    for (;;) {
      deliveries = await q(
        `SELECT d.id::text AS id, d.status FROM notification_deliveries d JOIN lead_aliases a ON a.lead_ref = d.lead_ref AND a.kind = 'external_id'
          WHERE d.trigger_id = $1 AND a.value LIKE $2`,
        [triggerId, `${name}-lead-%`],
      );
      const done = deliveries.filter((d) => d.status === 'delivered' && receipts.has(d.id)).length;
      if ((done === deliveries.length && deliveries.length >= firings.length) || Date.now() > deliverBy) break;
      await sleep(500);
    }
    report.deliveries = deliveries.length;
    report.delivered = deliveries.filter((d) => d.status === 'delivered' && receipts.has(d.id)).length;
    report.receipts = deliveries.reduce((s, d) => s + (receipts.get(d.id) ?? 0), 0);
    report.receipt_duplicates = report.receipts - report.delivered;

    expect({
      losses: report.losses,
      duplicates: report.duplicates,
      score_mismatches: report.score_mismatches,
      firings: report.firings,
      firing_duplicates: report.firing_duplicates,
      fired_wrongly: firedWrongly,
      deliveries: report.deliveries,
      delivered: report.delivered,
      accepted_during_redis_outage: report.accepted_during_redis_outage,
    }).toEqual({
      losses: 0,
      duplicates: 0,
      score_mismatches: 0,
      firings: hot.size,
      firing_duplicates: 0,
      fired_wrongly: 0,
      deliveries: hot.size,
      delivered: hot.size,
      accepted_during_redis_outage: 0,
    });
    expect(hot.size).toBeGreaterThan(0);
  }

  it('the worker SIGKILLed at random moments, 10 times', () =>
    scenario('worker-kill', 10, async (_load, report) => {
      for (let i = 0; i < 10; i++) {
        await sleep(between(500, 3000));
        const at = Date.now();
        await killWorker();
        await startWorker();
        report.restart_ms.push(Date.now() - at);
        report.recover_ms.push(await recovery(at, report.accept_ms));
      }
    }));

  it('an api process (of two) SIGKILLed at random moments, 5 times', () =>
    scenario('api-kill', 5, async (_load, report) => {
      for (let i = 0; i < 5; i++) {
        await sleep(between(500, 3000));
        const which = Math.floor(Math.random() * 2);
        const at = Date.now();
        apis[which]!.child.kill('SIGKILL');
        await apis[which]!.exited;
        logs.push({ name: `api-${which}-killed`, text: apis[which]!.output() });
        await startApi(which);
        report.restart_ms.push(Date.now() - at);
        report.recover_ms.push(await recovery(at, report.accept_ms));
      }
    }));

  it('PostgreSQL restarted (fast shutdown, then start) twice', () =>
    scenario('postgres-restart', 2, async (_load, report) => {
      for (let i = 0; i < 2; i++) {
        await sleep(between(2000, 4000));
        const at = Date.now();
        pg.stop();
        report.ready_during_outage.push(await readiness());
        await sleep(between(1000, 3000));
        report.ready_during_outage.push(await readiness());
        pg.start();
        const back = Date.now();
        report.outage_ms.push(back - at);
        report.recover_ms.push(await recovery(back, report.accept_ms));
        expect(await readiness()).toBe('200/200');
      }
      expect(report.ready_during_outage.every((r) => r === '503/503')).toBe(true);
    }));

  it('Redis restarted (its append-only file kept) twice', () =>
    scenario('redis-restart', 2, async (_load, report) => {
      for (let i = 0; i < 2; i++) {
        await sleep(between(2000, 4000));
        const at = Date.now();
        await redis.stop();
        report.ready_during_outage.push(await readiness());
        await redis.start();
        const back = Date.now();
        report.outage_ms.push(back - at);
        report.recover_ms.push(await recovery(back, report.accept_ms));
        expect(await readiness()).toBe('200/200');
      }
      expect(report.ready_during_outage.every((r) => r === '503/503')).toBe(true);
    }));

  it('Redis stopped for 30 s: ingest answers 503, never 202, and recovers by itself', () =>
    scenario(
      'redis-stopped-30s',
      1,
      async (load, report) => {
        await sleep(between(1000, 3000));
        const at = Date.now();
        await redis.stop();
        const down = Date.now();
        for (const end = down + 30_000; Date.now() < end;) {
          await sleep(Math.min(5000, end - Date.now()));
          report.ready_during_outage.push(await readiness());
        }
        const up = Date.now();
        await redis.start();
        const back = Date.now();
        report.outage_ms.push(back - at);
        report.recover_ms.push(await recovery(back, report.accept_ms));
        // requests sent and answered while Redis was down
        const during = load.answers.filter((a) => a.started >= down && a.ended <= up);
        report.accepted_during_redis_outage = during.filter((a) => a.status === 202).length;
        expect(during.length).toBeGreaterThan(100);
        expect(during.filter((a) => a.status === 503).length).toBe(during.length);
        expect(report.ready_during_outage.every((r) => r === '503/503')).toBe(true);
        expect(await readiness()).toBe('200/200');
      },
      40,
    )); // (few 202s while Redis is down: fewer leads, so that some still reach the milestone)

  it('rebuilding the projections from the event store gives the live read models, and sends nothing again', async () => {
    await killWorker();
    worker = null;
    const snapshot = async () => ({
      lead_events: (await q(`SELECT count(*)::int AS n, md5(string_agg(event_id::text, ',' ORDER BY event_id)) AS h FROM lead_events`))[0],
      lead_scores: (
        await q(
          `SELECT count(*)::int AS n, md5(string_agg(lead_ref || ':' || ruleset_id || ':' || score, ',' ORDER BY lead_ref, ruleset_id)) AS h FROM lead_scores`,
        )
      )[0],
      leads: (await q(`SELECT count(*)::int AS n, md5(string_agg(id::text, ',' ORDER BY id)) AS h FROM leads`))[0],
      aliases: (
        await q(
          `SELECT count(*)::int AS n, md5(string_agg(lead_ref || ':' || kind || ':' || value, ',' ORDER BY lead_ref, kind, value)) AS h FROM lead_aliases`,
        )
      )[0],
      milestones: (await q(`SELECT count(*)::int AS n, md5(string_agg(id::text || ':' || kind, ',' ORDER BY id)) AS h FROM milestone_events`))[0],
      deliveries: (await q(`SELECT count(*)::int AS n FROM notification_deliveries`))[0],
    });
    const live = await snapshot();
    const sentBefore = [...receipts.values()].reduce((a, b) => a + b, 0);
    for (const projection of ['lead-identity', 'lead-events', 'trigger_detection']) {
      const out = await runCli(['projections:rebuild', projection]);
      expect({ projection, code: out.code }).toEqual({ projection, code: 0 });
    }
    expect(await snapshot()).toEqual(live);
    await sleep(2000);
    expect([...receipts.values()].reduce((a, b) => a + b, 0)).toBe(sentBefore);
  });

  function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI_SCRIPT, ...args], { env: { ...process.env, ...env(), LOG_LEVEL: 'warn' } });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
  }
});

function table(reports: ScenarioReport[]): string {
  const cols: [string, (r: ScenarioReport) => string][] = [
    ['scenario', (r) => r.scenario],
    ['faults', (r) => String(r.faults)],
    ['requests', (r) => String(r.requests)],
    ['202s', (r) => String(r.accepted_202)],
    [
      'other answers',
      (r) =>
        Object.entries(r.answers)
          .filter(([s]) => s !== '202')
          .map(([s, n]) => `${s}:${n}`)
          .join(' ') || '-',
    ],
    ['events', (r) => String(r.events)],
    ['stored', (r) => String(r.stored)],
    ['scored', (r) => String(r.projected)],
    ['dups', (r) => String(r.duplicates)],
    ['lost', (r) => String(r.losses)],
    ['score diffs', (r) => String(r.score_mismatches)],
    ['firings', (r) => `${r.firings}/${r.milestones_expected}`],
    ['delivered', (r) => `${r.delivered}/${r.deliveries}`],
    ['dup deliveries', (r) => String(r.receipt_duplicates)],
    ['outage ms (max)', (r) => (r.outage_ms.length ? String(Math.max(...r.outage_ms)) : '-')],
    ['recover ms (max)', (r) => (r.recover_ms.length ? String(Math.max(...r.recover_ms)) : '-')],
    ['202 again ms (max)', (r) => (r.accept_ms.length ? String(Math.max(...r.accept_ms)) : '-')],
    ['restart ms (max)', (r) => (r.restart_ms.length ? String(Math.max(...r.restart_ms)) : '-')],
    ['ready while down', (r) => [...new Set(r.ready_during_outage)].join(',') || '-'],
  ];
  const rows = [cols.map(([h]) => h), ...reports.map((r) => cols.map(([, f]) => f(r)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}
