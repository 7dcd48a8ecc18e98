/**
 * Ingest benchmark: the built server as separate processes (api `dist/src/main.js`, worker `dist/src/worker.js`)
 * on a throwaway database, driven over HTTP the way a tracking pipeline would.
 *
 *   npm run bench:ingest                  (builds, then runs dist/bench/ingest.js; about 2–3 minutes)
 *   BENCH_SCALE=1 npm run bench:ingest    (2 api processes and 2 worker processes on one PostgreSQL and one Redis)
 *
 * Process layout: BENCH_API_PROCESSES api processes (default 1), each on a port of its own; the load generator's
 * clients are spread over them round-robin (client c talks to api #(c mod N)), as a load balancer would.
 * BENCH_WORKER_PROCESSES worker processes (default 1) share the ingest queue and the projections.
 * BENCH_SCALE=1 makes both defaults 2.
 *
 * (0) baseline: the single-event load of (a) (same clients, keep-alive, same seconds) against a bare `node:http`
 *     server (as many processes as api processes) that parses the JSON body and answers 202 with a small JSON
 *     body: the ceiling of Node's HTTP stack on this machine, printed beside kenbun's figure as a ratio.
 * (a) acceptance: POST /ingest with 500-event batches, then with single events, from many concurrent keep-alive
 *     clients, for a fixed time each. No worker is running yet, so this is the api processes alone (plus
 *     Redis and PostgreSQL on the same machine); the queued events are discarded afterwards.
 * (b) end to end: BENCH_E2E_EVENTS events (mixed types, metadata) over BENCH_LEADS leads identified by alias,
 *     scored by 3 rulesets × 20 rules (attribute filters, half-lives), from the first POST until the last event
 *     is in `lead_events` (projected, scores recomputed in the same transaction). Completion counts distinct
 *     event ids; afterwards every id the POSTs answered must be in `lead_events` and recorded once in the event
 *     store ('exactly once: N events, 0 duplicates'), else the run fails.
 * (c) latency: a steady BENCH_STEADY_RATE single-event requests/s for BENCH_STEADY_SECONDS; every
 *     BENCH_PROBE_EVERY-th event goes to a lead that receives nothing else meanwhile (and has no negative points, which the floor at 0 could hide the probe behind), and its
 *     GET /score/{leadID} is polled every BENCH_POLL_MS until the event's points show.
 * (d) memory: VmRSS of every server process sampled every 200 ms (peak per phase) and VmHWM at the end.
 *
 * Settings (environment variables): TEST_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), REDIS_URL,
 * BENCH_API_PROCESSES (1), BENCH_WORKER_PROCESSES (1), BENCH_SCALE (unset; 1 = both process counts default to 2),
 * BENCH_ACCEPT_SECONDS (6), BENCH_BATCH_CLIENTS (16), BENCH_SINGLE_CLIENTS (64), BENCH_E2E_EVENTS (50000),
 * BENCH_LEADS (10000), BENCH_E2E_CLIENTS (8), BENCH_STEADY_RATE (1000), BENCH_STEADY_SECONDS (20),
 * BENCH_PROBE_EVERY (20), BENCH_POLL_MS (20). INGEST_WORKER_CONCURRENCY, INGEST_COALESCE_MS, INGEST_JOB_MAX_EVENTS,
 * PROJECTION_BATCH_SIZE, PROJECTION_POLL_MS and DATABASE_POOL_SIZE are passed on to the server processes.
 * BENCH_CPU_PROF=<dir> runs the server processes with --cpu-prof (profiles written there at exit, one per process).
 * BENCH_FIT=1 activates fit scoring before the worker starts, as issue 12 measures it: 2 profile mappings (utm_source →
 * acquisition_source, campaign → last_campaign; always latest, so many events change a lead's profile) and a primary
 * profile ruleset of 10 add-points rules on those properties. Compare (b) with and without it, back to back.
 * BENCH_ONLY=b stops after (b).
 * BENCH_ONLY=a stops after (a); BENCH_ONLY=single measures (0) and the single events of (a) alone (to profile that path).
 * BENCH_KEEP_DB=1 keeps the database at the end (its name is printed) to look at plans and data afterwards.
 * With BENCH_FIT=1, (b) also reports when the `profile-scores` projection (profile re-evaluation of the leads (b) created;
 * the leads whose mapped properties an event changed are re-evaluated by `lead-events` itself, so (b)'s end includes
 * them) caught up with the last event.
 */
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { LeadEvent } from '../src/modules/leads';
import { assertExactlyOnce, countProjected, recordedBy } from './support/checks';
import { fmt, freePort, int, percentile, sleep } from './support/common';
import { environmentPairs, loadAverage, printPairs } from './support/environment';
import { apiPorts, closedLoop, json, request } from './support/http';
import { BenchRun, memOf, Proc, runBench } from './support/processes';
import { adminBearer, event, leadAlias, rulesFor, seedCredential, seedRulesets, SOURCES } from './support/workload';

const SCALE = process.env.BENCH_SCALE === '1' ? 2 : 1;
const S = {
  apiProcesses: int('BENCH_API_PROCESSES', SCALE),
  workerProcesses: int('BENCH_WORKER_PROCESSES', SCALE),
  acceptSeconds: int('BENCH_ACCEPT_SECONDS', 6),
  batchClients: int('BENCH_BATCH_CLIENTS', 16),
  singleClients: int('BENCH_SINGLE_CLIENTS', 64),
  e2eEvents: int('BENCH_E2E_EVENTS', 50_000),
  leads: int('BENCH_LEADS', 10_000),
  e2eClients: int('BENCH_E2E_CLIENTS', 8),
  steadyRate: int('BENCH_STEADY_RATE', 1000),
  steadySeconds: int('BENCH_STEADY_SECONDS', 20),
  probeEvery: int('BENCH_PROBE_EVERY', 20),
  pollMs: int('BENCH_POLL_MS', 20),
};
const BATCH = 500;
const TARGET = { batched: 20_000, singleRps: 5_000, e2e: 5_000, p99Ms: 1_000 };
const PASSED_ON = [
  'INGEST_WORKER_CONCURRENCY',
  'INGEST_COALESCE_MS',
  'INGEST_JOB_MAX_EVENTS',
  'PROJECTION_BATCH_SIZE',
  'PROJECTION_POLL_MS',
  'DATABASE_POOL_SIZE',
];

const bench = new BenchRun('ingest');
const { dbUrl, prefix, redisUrl, procs, machine, phaseWall } = bench;
const enter = (name: string) => bench.enter(name);
const spawnRole = bench.spawnRole.bind(bench);
const flushRedis = bench.flushRedis.bind(bench);

/**
 * BENCH_FIT=1: 2 profile mappings from event metadata the bench always sends and a primary profile ruleset of
 * 10 add-points rules on the mapped properties.
 */
async function setUpFitScoring(agent: http.Agent, auth: string): Promise<void> {
  await json(agent, 'POST', '/profile-mappings', auth, { source_field: 'utm_source', profile_property: 'acquisition_source' });
  await json(agent, 'POST', '/profile-mappings', auth, { source_field: 'campaign', profile_property: 'last_campaign' });
  const created = await json(agent, 'POST', '/profile-scoring/rulesets', auth, { name: 'Bench fit', enabled: true, is_primary: true });
  const rulesetId = (Array.isArray(created) ? created[0] : created).id as string;
  const rules = [
    ...SOURCES.map((v, i) => ({ profile_property: 'acquisition_source', condition: 'equals', comparison_value: v, weight: 5 + i * 5 })),
    { profile_property: 'last_campaign', condition: 'equals', comparison_value: 'q3-enterprise', weight: 30 },
    { profile_property: 'last_campaign', condition: 'contains', comparison_value: 'webinar', weight: 15 },
    { profile_property: 'last_campaign', condition: 'starts_with', comparison_value: 'retargeting', weight: 10 },
    { profile_property: 'last_campaign', condition: 'in', comparison_value: 'brand,partner-launch', weight: 5 },
    { profile_property: 'acquisition_source', condition: 'not_equals', comparison_value: 'direct', weight: 3 },
  ];
  for (const rule of rules) await json(agent, 'POST', `/profile-scoring/rulesets/${rulesetId}/rules`, auth, rule);
}

/** Failed projection batches the workers logged, by phase, projection and kind (deadlock or other): the runner retries them. */
const projectionFailures = new Map<string, number>();

/** This database's counters (pg_stat_database) and its event store's rows by type. */
async function dbCounters(pg: Client): Promise<{ stats: Record<string, number>; events: Map<string, number> }> {
  const [row] = (
    await pg.query(
      `SELECT d.xact_commit, d.xact_rollback, d.deadlocks, d.tup_inserted, d.tup_updated, d.tup_deleted, t.n_tup_upd AS leads_upd, t.n_tup_hot_upd AS leads_hot_upd
         FROM pg_stat_database d, pg_stat_user_tables t WHERE d.datname = current_database() AND t.relname = 'leads'`,
    )
  ).rows;
  const events = new Map<string, number>(
    (await pg.query(`SELECT event_type, count(*)::int AS n FROM event_store_events GROUP BY 1`)).rows.map((r: { event_type: string; n: number }) => [
      r.event_type,
      r.n,
    ]),
  );
  return { stats: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])), events };
}

/**
 * What (b) wrote, per event ingested: event store rows by type, PostgreSQL's transactions, rollbacks, deadlocks and
 * rows written, and how many `leads` updates were HOT, writing no index entry (pg_stat_database, pg_stat_user_tables;
 * backends report at most once a second, so read after a short pause: approximate),
 * and the projection batches that failed and were retried.
 */
async function writeCounts(pg: Client, before: Awaited<ReturnType<typeof dbCounters>>): Promise<string> {
  await sleep(1500);
  const after = await dbCounters(pg);
  const per = (n: number) => fmt(n / S.e2eEvents, 2);
  const stored = [...after.events].map(([type, n]) => [type, n - (before.events.get(type) ?? 0)] as const).filter(([, n]) => n > 0);
  const d = (k: string) => after.stats[k] - before.stats[k];
  const failures = [...projectionFailures].filter(([k]) => k.startsWith('(b) end to end\u0000')).map(([k, n]) => `${k.split('\u0000')[1]} ${n}`);
  return (
    `per event ingested: event store rows ${stored.map(([t, n]) => `${t} ${per(n)}`).join(', ')}; ` +
    `commits ${per(d('xact_commit'))}, rollbacks ${per(d('xact_rollback'))}, rows inserted ${per(d('tup_inserted'))}, updated ${per(d('tup_updated'))}, ` +
    `deleted ${per(d('tup_deleted'))}, of which leads rows updated ${per(d('leads_upd'))} (HOT ${per(d('leads_hot_upd'))}) (approximate); deadlocks ${d('deadlocks')}; ` +
    `failed projection batches ${failures.length ? failures.join(', ') : 'none'}`
  );
}

/**
 * The baseline server: node:http alone, parsing the JSON body and answering 202 with a small JSON body (an
 * accepted count and one id, like POST /ingest's answer for one event).
 */
const BARE_NODE_SERVER = `
const http = require('node:http');
const { randomUUID } = require('node:crypto');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let parsed;
    try { parsed = JSON.parse(Buffer.concat(chunks).toString()); } catch { res.writeHead(400).end(); return; }
    const out = JSON.stringify({ accepted: Array.isArray(parsed) ? parsed.length : 1, event_ids: [randomUUID()] });
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

// ---------------------------------------------------------------------------------------------------------

async function run(): Promise<void> {
  bench.phase = 'startup';
  // the first api process migrates the empty database and creates the admin; the others start once it is ready
  for (let no = 1; no <= S.apiProcesses; no++) await bench.startApi(no, await freePort());
  const setupAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const admin = await adminBearer(setupAgent);
  const auth = await seedCredential(setupAgent, admin, 'bench-ingest');
  const rulesets = await seedRulesets(setupAgent, auth);

  const fit = process.env.BENCH_FIT === '1';
  if (fit) await setUpFitScoring(setupAgent, auth);

  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  const environment = await environmentPairs(pg, redisUrl);
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 'es'}`;
  const layout =
    `${plural(S.apiProcesses, 'api process')} (${S.apiProcesses === 1 ? `port ${apiPorts[0]}` : `ports ${apiPorts.join(', ')}; clients spread round-robin`}), ` +
    `${plural(S.workerProcesses, 'worker process')}, one PostgreSQL, one Redis`;
  const serverSettings = PASSED_ON.map((k) => `${k}=${process.env[k] ?? '(default)'}`).join(', ');
  console.log('\nkenbun ingest benchmark\n');
  const pairs: [string, string][] = [
    ...environment,
    ['processes', 'api: dist/src/main.js (LOG_LEVEL=warn), worker: dist/src/worker.js (LOG_LEVEL=info); RATE_LIMIT_ENABLED=false, NODE_ENV=production'],
    ['process layout', layout],
    ['server settings', serverSettings],
    ['credential', 'service account (HTTP Basic), OU unit_default'],
    [
      'scoring setup',
      '3 rulesets x 20 rules (12 event types, 10 rules with attribute filters, 7-8 with half-lives per decaying ruleset)' +
        (fit ? '; fit scoring (BENCH_FIT=1): 2 profile mappings, a primary profile ruleset of 10 rules' : '; no fit scoring (BENCH_FIT=1 adds it)'),
    ],
    ['load average', `${loadAverage()} at the start`],
    [
      '(0) baseline',
      `bare node:http x ${S.apiProcesses} (parses the JSON body, answers 202 + a small JSON body): single events from ${S.singleClients} clients, ${S.acceptSeconds} s (keep-alive)`,
    ],
    ['(a)', `${S.acceptSeconds} s each: ${BATCH}-event batches from ${S.batchClients} clients; single events from ${S.singleClients} clients (keep-alive)`],
    ['(b)', `${fmt(S.e2eEvents)} events in ${BATCH}-event batches from ${S.e2eClients} clients over ${fmt(S.leads)} leads (aliases)`],
    ['(c)', `${fmt(S.steadyRate)} single-event requests/s for ${S.steadySeconds} s; 1 in ${S.probeEvery} is a probe; score polled every ${S.pollMs} ms`],
  ];
  printPairs(pairs);

  const batchBodies = Array.from({ length: 40 }, () => JSON.stringify(Array.from({ length: BATCH }, () => event(Math.floor(Math.random() * S.leads)))));
  const singleBodies = Array.from({ length: 2000 }, () => JSON.stringify(event(Math.floor(Math.random() * S.leads))));
  const agentA = new http.Agent({ keepAlive: true, maxSockets: Math.max(S.batchClients, S.singleClients) });

  // ------------------------------------------------------------------ (0) bare node:http baseline
  enter('(0) baseline');
  process.stdout.write('\n(0) bare node:http baseline ... ');
  const bare: Proc[] = [];
  const barePorts: number[] = [];
  for (let no = 1; no <= S.apiProcesses; no++) {
    const port = await freePort();
    let listening: () => void = () => undefined;
    const up = new Promise<void>((r) => (listening = r));
    const p = spawnRole('node:http', no, ['-e', BARE_NODE_SERVER], { PORT: String(port) }, (line) => {
      if (line.includes('listening')) listening();
    });
    await Promise.race([up, sleep(10_000).then(() => Promise.reject(new Error(`${p.role} did not start:\n${p.tail()}`)))]);
    bare.push(p);
    barePorts.push(port);
  }
  await closedLoop(agentA, auth, 'warm-up', S.singleClients, 1, singleBodies, 1, barePorts);
  const bareSingle = await closedLoop(agentA, auth, 'bare node:http', S.singleClients, S.acceptSeconds, singleBodies, 1, barePorts);
  console.log(`${fmt(bareSingle.requests / bareSingle.seconds)} requests/s`);
  for (const p of bare) {
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    await exited;
  }

  // ------------------------------------------------------------------ (a) acceptance, api alone
  enter('(a) acceptance');
  process.stdout.write('(a) warming up ... ');
  // BENCH_ONLY=single: single events alone (a CPU profile of the api then shows the single-event request path only)
  const singleOnly = process.env.BENCH_ONLY === 'single';
  if (!singleOnly) await closedLoop(agentA, auth, 'warm-up', S.batchClients, 1, batchBodies, BATCH);
  await closedLoop(agentA, auth, 'warm-up', S.singleClients, 1, singleBodies, 1);
  process.stdout.write('batched ... ');
  const batched = singleOnly
    ? { name: 'skipped', clients: 0, requests: 0, events: 0, seconds: 1, latencies: [] }
    : await closedLoop(agentA, auth, `${BATCH}-event batches`, S.batchClients, S.acceptSeconds, batchBodies, BATCH);
  process.stdout.write(`${singleOnly ? 'skipped' : `${fmt(batched.events / batched.seconds)} events/s`}; single ... `);
  // BENCH_ONLY=single: the single events are a phase of their own, so their CPU per request is printed
  if (singleOnly) enter('(a) single');
  const single = await closedLoop(agentA, auth, 'single events', S.singleClients, S.acceptSeconds, singleBodies, 1);
  console.log(`${fmt(single.requests / single.seconds)} requests/s`);
  agentA.destroy();
  if (process.env.BENCH_ONLY === 'a' || singleOnly) {
    enter('end');
    for (const pr of procs) console.log(`${pr.role} CPU s in (a): ${fmt((pr.cpu.get('(a) acceptance') ?? 0) + (pr.cpu.get('(a) single') ?? 0), 1)}`);
    if (singleOnly)
      for (const pr of procs) console.log(`${pr.role} CPU per single-event request: ${fmt(((pr.cpu.get('(a) single') ?? 0) / single.requests) * 1e6, 0)} µs`);
    await pg.end();
    return;
  }
  // nothing of (a) is to be scored: drop the queued jobs before the worker starts
  await flushRedis(`${prefix}:ingest:*`);

  // ------------------------------------------------------------------ worker
  // BENCH_PG_LOG_MS=<ms>: the worker's statements taking at least that long go to the PostgreSQL server log
  if (process.env.BENCH_PG_LOG_MS)
    await pg.query(`ALTER DATABASE "${new URL(dbUrl).pathname.slice(1)}" SET log_min_duration_statement = ${Number(process.env.BENCH_PG_LOG_MS)}`);
  enter('worker start');
  const workers: { proc: Proc; metricsPort: number }[] = [];
  await Promise.all(
    Array.from({ length: S.workerProcesses }, async (_, i) => {
      const metricsPort = await freePort();
      const worker = await bench.startWorker(i + 1, { WORKER_METRICS_PORT: String(metricsPort) }, (line) => {
        if (line.includes('"projection batch failed')) {
          const kind = line.includes('deadlock detected') ? 'deadlock' : 'other';
          const key = `${bench.phase}\u0000${/"projection":"([^"]+)"/.exec(line)?.[1] ?? '?'} (${kind})`;
          projectionFailures.set(key, (projectionFailures.get(key) ?? 0) + 1);
        }
      });
      workers.push({ proc: worker, metricsPort });
    }),
  );
  workers.sort((x, y) => x.proc.role.localeCompare(y.proc.role));
  const workerShares = async () => Promise.all(workers.map(async (w) => ({ role: w.proc.role, recorded: await recordedBy(w.metricsPort) })));
  /** What every worker recorded so far, by their metrics (undefined if one does not answer). */
  const recordedTotal = async () => {
    const shares = await workerShares();
    return shares.some((w) => w.recorded === undefined) ? undefined : shares.reduce((sum, w) => sum + (w.recorded ?? 0), 0);
  };

  // ------------------------------------------------------------------ (b) end to end
  enter('(b) end to end');
  process.stdout.write('(b) end to end ... ');
  // every lead gets at least one event, the rest at random; shuffled so that batches mix leads
  const leadOf = Array.from({ length: S.e2eEvents }, (_, i) => (i < S.leads ? i : Math.floor(Math.random() * S.leads)));
  for (let i = leadOf.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [leadOf[i], leadOf[j]] = [leadOf[j], leadOf[i]];
  }
  const e2eBodies: string[] = [];
  for (let i = 0; i < leadOf.length; i += BATCH) e2eBodies.push(JSON.stringify(leadOf.slice(i, i + BATCH).map((l) => event(l))));
  const agentB = new http.Agent({ keepAlive: true, maxSockets: S.e2eClients });
  const before = await countProjected(pg);
  const recordedBefore = (await recordedTotal()) ?? 0;
  const dbBefore = await dbCounters(pg);
  const e2eStarted = performance.now();
  let nextBody = 0;
  const postLatencies: number[] = [];
  const e2eIds: string[] = [];
  await Promise.all(
    Array.from({ length: S.e2eClients }, async (_, c) => {
      while (nextBody < e2eBodies.length) {
        const body = e2eBodies[nextBody++];
        const t = performance.now();
        const res = await request(agentB, 'POST', '/ingest', auth, body, apiPorts[c % apiPorts.length]);
        if (res.status !== 202) throw new Error(`POST /ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
        postLatencies.push(performance.now() - t);
        e2eIds.push(...(JSON.parse(res.body).event_ids as string[]));
      }
    }),
  );
  const postedMs = performance.now() - e2eStarted;
  const projectedAtPostEnd = (await countProjected(pg)) - before;
  const e2eDeadline = Date.now() + 300_000;
  // the end is polled without loading the PostgreSQL being measured: the workers' own counters first (what they
  // recorded and committed), lead_events only once they say every event is recorded (counting lead_events every 50 ms
  // through the whole phase took ~25 % of PostgreSQL's CPU on 2 cores)
  for (;;) {
    const recorded = await recordedTotal();
    if (recorded === undefined || recorded - recordedBefore >= S.e2eEvents) break;
    const gone = workers.find((w) => w.proc.child.exitCode !== null);
    if (gone) throw new Error(`${gone.proc.role} exited:\n${gone.proc.tail()}`);
    if (Date.now() > e2eDeadline) throw new Error(`only ${recorded - recordedBefore} of ${S.e2eEvents} events recorded after 5 minutes`);
    await sleep(50);
  }
  for (;;) {
    const n = (await countProjected(pg)) - before;
    if (n >= S.e2eEvents) break;
    const gone = workers.find((w) => w.proc.child.exitCode !== null);
    if (gone) throw new Error(`${gone.proc.role} exited:\n${gone.proc.tail()}`);
    if (Date.now() > e2eDeadline) throw new Error(`only ${n} of ${S.e2eEvents} events projected after 5 minutes`);
    await sleep(50);
  }
  const e2eMs = performance.now() - e2eStarted;
  agentB.destroy();
  const e2eEps = S.e2eEvents / (e2eMs / 1000);
  console.log(`${fmt(e2eEps)} events/s`);
  if (fit) {
    // the profile-scores projection (new leads' first evaluation) runs beside lead-events: when did it reach the last event?
    for (;;) {
      const [{ behind }] = (
        await pg.query(
          `SELECT count(*)::int AS behind FROM projection_checkpoints WHERE name = 'profile-scores' AND last_position < (SELECT max(global_position) FROM event_store_events)`,
        )
      ).rows;
      if (!behind) break;
      if (Date.now() > e2eDeadline) throw new Error('the profile-scores projection did not catch up within 5 minutes');
      await sleep(50);
    }
    const profileMs = performance.now() - e2eStarted;
    console.log(
      `    profile-scores projection caught up ${fmt(profileMs / 1000, 2)} s after the first POST (${fmt(S.e2eEvents / (profileMs / 1000))} events/s with every profile re-evaluation)`,
    );
  }
  // nothing lost, nothing doubled: fails the run otherwise
  const exactlyOnce = await assertExactlyOnce(pg, e2eIds);
  console.log(`    ${exactlyOnce}`);
  const e2eShares = await workerShares();
  const [{ leads: leadCount }] = (await pg.query(`SELECT count(*)::int AS leads FROM leads`)).rows;
  const [{ scores: scoreRows }] = (await pg.query(`SELECT count(*)::int AS scores FROM event_scores`)).rows;
  if (leadCount !== S.leads) throw new Error(`expected ${S.leads} leads, found ${leadCount}`);
  if (process.env.BENCH_ONLY === 'b') {
    enter('end');
    for (const pr of procs) console.log(`${pr.role} CPU s in (b): ${fmt(pr.cpu.get('(b) end to end') ?? 0, 1)}`);
    const e2eCpu = machine.get('(b) end to end')!;
    console.log(
      `postgres CPU s in (b): ${fmt(e2eCpu.postgres, 1)} (this db), ${fmt(e2eCpu.postgresBackground, 1)} (WAL, bg); machine busy ${fmt(e2eCpu.busy, 1)}`,
    );
    console.log(`    ${await writeCounts(pg, dbBefore)}`);
    await pg.end();
    return;
  }

  // ------------------------------------------------------------------ (c) ingest-to-score latency
  enter('(c) steady');
  const probesNeeded = Math.ceil((S.steadyRate * S.steadySeconds) / S.probeEvery);
  if (probesNeeded * 2 > S.leads) throw new Error(`(c) needs ${probesNeeded} probe leads: raise BENCH_LEADS or BENCH_PROBE_EVERY`);
  const probeRuleset = rulesets[0];
  const probeWeight = rulesFor(0).find((r) => r.event_type === 'Demo Request')!.weight;
  // probes go to leads without negative points in the probe's ruleset: with them, the floor at 0 can hide part of
  // the probe's points (-40 earned, +50 probe: 0 -> 10), and the probe would never look visible
  const negative = new Set(
    (
      await pg.query(
        `SELECT DISTINCT a.value FROM event_scores s JOIN lead_aliases a ON a.lead_ref = s.lead_ref AND a.kind = 'external_id'
          WHERE s.ruleset_id = $1 AND s.base_points * s.multiplier < 0`,
        [probeRuleset],
      )
    ).rows.map((r: { value: string }) => r.value),
  );
  const probeLeads: number[] = [];
  const otherLeads: number[] = [];
  for (let i = 0; i < S.leads; i++) (probeLeads.length < probesNeeded && !negative.has(leadAlias(i)) ? probeLeads : otherLeads).push(i);
  if (probeLeads.length < probesNeeded) throw new Error(`(c) needs ${probesNeeded} probe leads without negative points, found ${probeLeads.length}`);
  const idRows = (
    await pg.query(
      `SELECT a.value, l.lead_id FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.kind = 'external_id' AND a.value = ANY($1::text[])`,
      [probeLeads.map(leadAlias)],
    )
  ).rows as { value: string; lead_id: string }[];
  const leadIdOf = new Map(idRows.map((r) => [r.value, r.lead_id]));
  const agentC = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const scoreOf = async (leadId: string, to = apiPorts[0]): Promise<number> => {
    const res = await request(agentC, 'GET', `/score/${encodeURIComponent(leadId)}?ruleset=${probeRuleset}`, auth, undefined, to);
    if (res.status !== 200) throw new Error(`GET /score/${leadId} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body).score as number;
  };
  const baseline = new Map<number, number>();
  {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < probesNeeded) {
          const i = probeLeads[next++];
          baseline.set(i, await scoreOf(leadIdOf.get(leadAlias(i))!, apiPorts[i % apiPorts.length]));
        }
      }),
    );
  }
  process.stdout.write('(c) steady rate ... ');
  let total = S.steadyRate * S.steadySeconds;
  const probeLatencies: number[] = [];
  const acceptLatencies: number[] = [];
  let timeouts = 0;
  let giveUpAt = Infinity;
  let outstanding = 0;
  let stoppedEarly = false;
  let sent = 0;
  let probeNo = 0;
  const inFlight: Promise<void>[] = [];
  const fire = (k: number) => {
    const probe = k % S.probeEvery === 0;
    const lead = probe ? probeLeads[probeNo++] : otherLeads[Math.floor(Math.random() * otherLeads.length)];
    const body = JSON.stringify(event(lead, probe ? 'Demo Request' : undefined));
    const t0 = performance.now();
    outstanding++;
    inFlight.push(
      (async () => {
        // round-robin over the api processes; a probe's score is read through the next one (another process when
        // there are several: what one api accepted, any api answers)
        const res = await request(agentC, 'POST', '/ingest', auth, body, apiPorts[k % apiPorts.length]).finally(() => outstanding--);
        if (res.status !== 202) throw new Error(`POST /ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
        acceptLatencies.push(performance.now() - t0);
        if (!probe) return;
        const leadId = leadIdOf.get(leadAlias(lead))!;
        const want = baseline.get(lead)! + probeWeight / 2;
        for (;;) {
          if ((await scoreOf(leadId, apiPorts[(k + 1) % apiPorts.length])) >= want) {
            probeLatencies.push(performance.now() - t0);
            return;
          }
          if (performance.now() - t0 > 30_000 || performance.now() > giveUpAt) {
            timeouts++;
            return;
          }
          await sleep(S.pollMs);
        }
      })(),
    );
  };
  const steadyStarted = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - steadyStarted) / 1000) * S.steadyRate));
      while (sent < due) fire(sent++);
      // the server does not keep up: stop offering load after 10 s of backlog rather than run for minutes
      if (outstanding > S.steadyRate * 10) stoppedEarly = true;
      if (sent >= total || stoppedEarly) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  const steadySecs = (performance.now() - steadyStarted) / 1000;
  total = sent;
  giveUpAt = performance.now() + 30_000;
  await Promise.all(inFlight);
  agentC.destroy();
  probeLatencies.sort((a, b) => a - b);
  acceptLatencies.sort((a, b) => a - b);
  const p = (q: number) => percentile(probeLatencies, q);
  console.log(`p99 ${fmt(p(99))} ms`);
  const finalShares = await workerShares();
  // no event id recorded or projected twice over the whole run (the events of (c) may still be on their way)
  const whole = (
    await pg.query(
      `SELECT (SELECT count(*) - count(DISTINCT event_id) FROM lead_events)::int AS projected,
              (SELECT count(*) - count(DISTINCT payload->>'event_id') FROM event_store_events WHERE event_type = $1)::int AS stored`,
      [LeadEvent.EventRecorded],
    )
  ).rows[0] as { projected: number; stored: number };
  if (whole.projected || whole.stored)
    throw new Error(`exactly once VIOLATED over the run: ${whole.projected} duplicate lead_events rows, ${whole.stored} duplicate EventRecorded events`);

  // ------------------------------------------------------------------ (d) memory
  enter('end');
  await sleep(300);
  for (const pr of procs) {
    const m = pr.child.pid ? memOf(pr.child.pid) : undefined;
    if (m) pr.hwm = Math.max(pr.hwm, m.hwm);
  }

  // ------------------------------------------------------------------ report
  const mark = (ok: boolean) => (ok ? 'MET' : 'MISSED');
  const batchedEps = batched.events / batched.seconds;
  const singleRps = single.requests / single.seconds;
  const bareRps = bareSingle.requests / bareSingle.seconds;
  console.log('\nresults\n');
  const rows: string[][] = [
    [
      `(0) bare node:http x ${S.apiProcesses}`,
      `${bareSingle.clients}`,
      fmt(bareSingle.requests),
      fmt(bareSingle.events / bareSingle.seconds),
      fmt(bareRps),
      fmt(percentile(bareSingle.latencies, 50), 1),
      fmt(percentile(bareSingle.latencies, 99), 1),
      'baseline (Node HTTP ceiling)',
    ],
    [
      '(a) 500-event batches',
      `${batched.clients}`,
      fmt(batched.requests),
      fmt(batchedEps),
      fmt(batched.requests / batched.seconds),
      fmt(percentile(batched.latencies, 50), 1),
      fmt(percentile(batched.latencies, 99), 1),
      `>= ${fmt(TARGET.batched)} events/s ${mark(batchedEps >= TARGET.batched)}`,
    ],
    [
      '(a) single events',
      `${single.clients}`,
      fmt(single.requests),
      fmt(single.events / single.seconds),
      fmt(singleRps),
      fmt(percentile(single.latencies, 50), 1),
      fmt(percentile(single.latencies, 99), 1),
      `>= ${fmt(TARGET.singleRps)} requests/s ${mark(singleRps >= TARGET.singleRps)}`,
    ],
  ];
  const headers = ['scenario', 'clients', 'requests', 'events/s', 'requests/s', 'p50 ms', 'p99 ms', 'target'];
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => (c === 0 || c === 7 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  console.log([line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
  console.log(
    `\nsingle-event requests/s: kenbun ${fmt(singleRps)}, bare node:http ${fmt(bareRps)}: kenbun/bare-Node = ${fmt((100 * singleRps) / bareRps, 1)} % ` +
      `(same ${single.clients} keep-alive clients, ${S.apiProcesses} process${S.apiProcesses === 1 ? '' : 'es'} each)`,
  );
  postLatencies.sort((a, b) => a - b);
  console.log(
    `\n(b) end to end: ${fmt(S.e2eEvents)} events, first POST to last projected ${fmt(e2eMs / 1000, 2)} s = ${fmt(e2eEps)} events/s ` +
      `(target >= ${fmt(TARGET.e2e)} ${mark(e2eEps >= TARGET.e2e)})`,
  );
  console.log(
    `    POSTs done after ${fmt(postedMs / 1000, 2)} s (${fmt(S.e2eEvents / (postedMs / 1000))} events/s accepted while the worker ran; POST p50 ${fmt(percentile(postLatencies, 50), 1)} ms, ` +
      `p99 ${fmt(percentile(postLatencies, 99), 1)} ms), ${fmt(projectedAtPostEnd)} projected by then; ${fmt(leadCount)} leads, ${fmt(scoreRows)} event_scores rows`,
  );
  console.log(`    ${exactlyOnce}`);
  const shareText = (shares: { role: string; recorded: number | undefined }[]) =>
    shares.map((x) => `${x.role} ${x.recorded === undefined ? '(metrics unavailable)' : fmt(x.recorded)}`).join(', ');
  console.log(
    `    events recorded per worker (events_processed_total{outcome="recorded"}) in (b): ${shareText(e2eShares)}; whole run: ${shareText(finalShares)}`,
  );
  console.log(
    `\n(c) ingest -> score visible in GET /score: ${fmt(probeLatencies.length)} probes at ${fmt(total / steadySecs)} events/s sent: ` +
      `p50 ${fmt(p(50))} ms, p95 ${fmt(p(95))} ms, p99 ${fmt(p(99))} ms (of the visible ones), max ${fmt(probeLatencies[probeLatencies.length - 1])} ms` +
      `${timeouts ? `, ${timeouts} not visible within 30 s of sending or of the end of sending (counted as misses)` : ''}${stoppedEarly ? `; sending stopped after ${fmt(sent)} events: over ${fmt(S.steadyRate * 10)} requests outstanding` : ''} (target p99 <= ${fmt(TARGET.p99Ms)} ms ${mark(p(99) <= TARGET.p99Ms && !timeouts)})`,
  );
  console.log(
    `    POST latency at that rate: p50 ${fmt(percentile(acceptLatencies, 50), 1)} ms, p99 ${fmt(percentile(acceptLatencies, 99), 1)} ms; latency resolution ~${S.pollMs} ms (poll interval)`,
  );
  console.log(
    `\nCPU seconds per phase (user + system; ${os.cpus().length} cores; load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  const cpuPhases = ['(0) baseline', '(a) acceptance', '(b) end to end', '(c) steady'];
  console.log(`    ${''.padEnd(22)}${cpuPhases.map((ph) => ph.padStart(16)).join('')}`);
  const cpuRow = (label: string, f: (ph: string) => number | undefined) =>
    console.log(
      `    ${label.padEnd(22)}${cpuPhases
        .map((ph) => {
          const v = f(ph);
          return (v === undefined ? '-' : fmt(v, 1)).padStart(16);
        })
        .join('')}`,
    );
  cpuRow('wall time', (ph) => phaseWall.get(ph));
  cpuRow('machine busy', (ph) => machine.get(ph)?.busy);
  for (const pr of procs) cpuRow(pr.role, (ph) => pr.cpu.get(ph));
  cpuRow('postgres (this db)', (ph) => machine.get(ph)?.postgres);
  cpuRow('postgres (WAL, bg)', (ph) => machine.get(ph)?.postgresBackground);
  cpuRow('redis', (ph) => machine.get(ph)?.redis);
  cpuRow('bench client', (ph) => machine.get(ph)?.client);
  cpuRow('other (not this bench)', (ph) => {
    const m = machine.get(ph);
    if (!m) return undefined;
    return m.busy - m.postgres - m.postgresBackground - m.redis - m.client - procs.reduce((a, pr) => a + (pr.cpu.get(ph) ?? 0), 0);
  });
  const e2e = machine.get('(b) end to end');
  if (e2e) {
    // CPU cost of one event end to end: comparable across runs even when the machine is shared
    const per = (v: number | undefined) => (v === undefined ? '-' : `${fmt((v / S.e2eEvents) * 1e6, 0)} µs`);
    const parts = procs.filter((pr) => pr.cpu.has('(b) end to end')).map((pr) => `${pr.role} ${per(pr.cpu.get('(b) end to end'))}`);
    console.log(`    (b) CPU per event: ${[...parts, `postgres ${per(e2e.postgres + e2e.postgresBackground)}`, `redis ${per(e2e.redis)}`].join(', ')}`);
  }
  console.log('\n(d) memory (RSS MiB, sampled every 200 ms)');
  const phases = ['startup', '(0) baseline', '(a) acceptance', 'worker start', '(b) end to end', '(c) steady'];
  console.log(`    ${'process'.padEnd(12)}${phases.map((ph) => ph.padStart(16)).join('')}${'peak (VmHWM)'.padStart(16)}`);
  for (const pr of procs) {
    console.log(
      `    ${pr.role.padEnd(12)}${phases.map((ph) => (pr.peaks.has(ph) ? fmt(pr.peaks.get(ph)! / 1024, 0) : '-').padStart(16)).join('')}${fmt(pr.hwm / 1024).padStart(16)}`,
    );
  }
  console.log(`\nprocess layout: ${layout}`);
  console.log(`(BENCH_SCALE=1, or BENCH_API_PROCESSES=<n> BENCH_WORKER_PROCESSES=<n>, runs other layouts)`);
  await pg.end();
  setupAgent.destroy();
}

runBench(bench, run);
