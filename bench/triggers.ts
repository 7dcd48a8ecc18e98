/**
 * Trigger benchmark: the built api and worker (bench/support) on a throwaway database, with milestone and sequence
 * triggers active and their webhooks delivered to a local HTTP receiver this process runs.
 *
 *   npm run bench:triggers            (builds, then runs dist/bench/triggers.js; about 1.5–2 minutes)
 *
 * Two OUs of one organization, each with the scoring setup of bench:ingest (3 rulesets × 20 rules, the first the
 * primary, whose score milestones watch): OU "plain" has no triggers, OU "triggers" has 20 milestone triggers
 * (thresholds 40 … 1,000, any event type, fire once) and 10 sequence triggers (2–3 steps, windows of 10–30 minutes),
 * each with a webhook to the receiver (OUTBOUND_ALLOW_HOSTS=127.0.0.1 lets the outbound guard reach it).
 *
 * (a) end to end: BENCH_EVENTS events over BENCH_LEADS new leads per pass (the event mix of bench:ingest, 500-event
 *     batches from 8 clients), into OU "plain" and into OU "triggers", BENCH_PAIRS pairs of passes in Thue–Morse order
 *     (AB BA BA AB …: over 4 pairs both kinds' positions sum alike, and so do their squares, so a steady drift and an
 *     accelerating one — the last passes of a run are the slowest — fall on both kinds alike, where ABBA ABBA leaves the
 *     last and slowest pass to the triggers; after a warm-up of both OUs on leads of their own), each pass after an
 *     ANALYZE (the statistics autovacuum would keep current; BENCH_ANALYZE=0: none), a CHECKPOINT and BENCH_SETTLE_MS
 *     of rest: tables grow with every pass and a small machine drifts, and the order puts both on each side alike.
 *     Each pass runs from the first POST until every event is in `lead_events` and the `trigger_detection` projection
 *     has passed the last one; a triggers pass then also waits for every outbox row to be delivered, so its CPU
 *     includes the deliveries. Reported: events/s of every pass, the change per pair, the change of the medians
 *     (target: at most 10 % slower with triggers), firings recorded, deliveries, and CPU µs per event of the worker,
 *     the api and PostgreSQL (this database's backends but the bench's own, + WAL/background) over all passes of each
 *     kind — the figure to trust on a shared machine.
 * (b) latency: BENCH_RATE single-event POSTs/s for BENCH_SECONDS into OU "triggers"; every BENCH_PROBE_EVERY-th is
 *     a "Demo Request" (+50 in the primary ruleset) to a lead that has no events yet, which crosses exactly the
 *     milestones with thresholds ≤ 50; the others are the usual mix to the leads of (a) (some of them fire too).
 *     The receiver timestamps each delivery; ingest → delivered = arrival − start of the POST that carried the
 *     delivery's `event.id`. p50/p95/p99 over all deliveries of (b) and over the probes' (target p99 ≤ 2 s).
 * (c) burst: enough probe-like events (to leads with no events) for BENCH_BURST deliveries, sent at once in
 *     500-event batches; deliveries/s from the first to the last delivery received (target ≥ 500/s), and from
 *     the first POST.
 * Afterwards every outbox row must be delivered and no delivery id received twice, else the run fails.
 *
 * Settings: TEST_DATABASE_SERVER, REDIS_URL, BENCH_EVENTS (30000), BENCH_LEADS (10000), BENCH_WARMUP (3000 per OU), BENCH_PAIRS (2; 4 balances
 * an accelerating drift too), BENCH_SETTLE_MS (3000),
 * BENCH_DESTINATIONS=0 (with BENCH_ONLY=a: triggers without webhooks, to split detection from delivery),
 * BENCH_RATE (200), BENCH_SECONDS (20), BENCH_PROBE_EVERY (10), BENCH_BURST (5000), BENCH_ONLY=a|b|c (the setup
 * and the triggers always; b and c need no pass of (a): their other events go to leads that may not exist yet),
 * BENCH_ANALYZE=0, BENCH_KEEP_DB=1, BENCH_CPU_PROF=<dir> (V8 CPU profiles of the server processes, written at exit),
 * BENCH_PG_LOG_MS=<ms> (the worker's statements taking at least that long go to the PostgreSQL server log; 0 = all).
 * INGEST_WORKER_CONCURRENCY, INGEST_COALESCE_MS, PROJECTION_BATCH_SIZE, PROJECTION_POLL_MS, DATABASE_POOL_SIZE and
 * NOTIFICATION_* / OUTBOUND_* are passed on to the server processes unchanged (they inherit the environment).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { countProjected, recordedBy } from './support/checks';
import { fmt, freePort, int, percentile, sleep } from './support/common';
import { environmentPairs, loadAverage, printPairs } from './support/environment';
import { json, request } from './support/http';
import { BenchRun, runBench } from './support/processes';
import { adminBearer, event, rulesFor, seedCredential, seedRulesets } from './support/workload';

const S = {
  events: int('BENCH_EVENTS', 30_000),
  leads: int('BENCH_LEADS', 10_000),
  warmup: int('BENCH_WARMUP', 3_000),
  rate: int('BENCH_RATE', 200),
  seconds: int('BENCH_SECONDS', 20),
  probeEvery: int('BENCH_PROBE_EVERY', 10),
  burst: int('BENCH_BURST', 5_000),
  pairs: int('BENCH_PAIRS', 2),
  settleMs: int('BENCH_SETTLE_MS', 3_000),
};
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && !['a', 'b', 'c'].includes(ONLY)) throw new Error(`BENCH_ONLY must be a, b or c, got ${ONLY}`);
const runs = (x: 'a' | 'b' | 'c') => !ONLY || ONLY === x;
/** BENCH_DESTINATIONS=0: the triggers get no webhook, so (a) measures detection and firing records without deliveries */
const DESTINATIONS = process.env.BENCH_DESTINATIONS !== '0';
if (!DESTINATIONS && ONLY !== 'a') throw new Error('BENCH_DESTINATIONS=0 needs BENCH_ONLY=a: (b) and (c) measure deliveries');
/**
 * Pass order: pass n (from 0) is a triggers pass when n has an odd number of 1 bits (the Thue–Morse sequence: AB BA BA AB
 * BA AB AB BA …), so pair i runs with triggers first when pass 2i is one.
 */
const withTriggersFirst = (pair: number) => (pair * 2).toString(2).split('1').length % 2 === 0;
const BATCH = 500;
const CLIENTS = 8;
const TARGET = { overheadPct: 10, deliveriesPerSecond: 500, p99Ms: 2_000 };
const MILESTONES = [40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 175, 200, 250, 300, 400, 500, 750, 1000];
const SEQUENCES: { event_types: string[]; ordered: boolean }[] = [
  { event_types: ['Page View', 'Pricing Page'], ordered: true },
  { event_types: ['Email Open', 'Email Click'], ordered: true },
  { event_types: ['Page View', 'Content Download', 'Form Submit'], ordered: false },
  { event_types: ['Ad Click', 'Form Submit'], ordered: true },
  { event_types: ['Email Click', 'Page View', 'Pricing Page'], ordered: true },
  { event_types: ['Webinar Attended', 'Content Download'], ordered: false },
  { event_types: ['Webinar Attended', 'Pricing Page'], ordered: false },
  { event_types: ['Pricing Page', 'Trial Signup'], ordered: false },
  { event_types: ['Chat Started', 'Trial Signup'], ordered: false },
  { event_types: ['Form Submit', 'Email Open', 'Page View'], ordered: true },
];
/** the probe's type: +50 in the primary ruleset, no filter, no decay; in no sequence */
const PROBE_TYPE = 'Demo Request';
const PROBE_POINTS = rulesFor(0).find((r) => r.event_type === PROBE_TYPE)!.weight;
/** deliveries one probe causes: the milestones it crosses from 0 */
const PER_PROBE = MILESTONES.filter((t) => t <= PROBE_POINTS).length;

const bench = new BenchRun('triggers');
const SERVER_ENV = { OUTBOUND_ALLOW_HOSTS: '127.0.0.1' };

// ---------------------------------------------------------------------------------------------------------
// The receiver: 200 to every POST; per delivery id the first arrival, the event that caused it and how often it came.
// It reads every body but parses it only when a result needs the event it names ((b) and (c), after their POSTs):
// the receiver stands for the customer's endpoint, which in production runs on another machine, so the bench's own
// analysis is kept out of the CPU the passes of (a) share with kenbun.

class Arrival {
  private parsed?: string;
  constructor(
    readonly at: number,
    private readonly body: Buffer,
  ) {}
  /** the `event.id` of the delivery's body ('' when there is none) */
  get eventId(): string {
    if (this.parsed === undefined) {
      let body: { event?: { id?: string } } = {};
      try {
        body = JSON.parse(this.body.toString());
      } catch {
        // counted, not matched
      }
      this.parsed = body.event?.id ?? '';
    }
    return this.parsed;
  }
}
const arrivals = new Map<string, Arrival>();
const received = new Map<string, number>();

const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const id = String(req.headers['x-kenbun-delivery-id']);
    received.set(id, (received.get(id) ?? 0) + 1);
    if (!arrivals.has(id)) arrivals.set(id, new Arrival(at, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    res.end();
  });
});

/** The deliveries first received at or after `since` (performance.now()). */
const arrivedSince = (since: number) => [...arrivals.values()].filter((a) => a.at >= since);

/** The worker's warnings and errors (pino level >= 40) by phase and message: failed jobs, projection batches retried, … */
const warnings = new Map<string, number>();
function countWarnings(line: string): void {
  if (!line.startsWith('{')) return;
  try {
    const l = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string }; error?: string };
    if ((l.level ?? 0) < 40) return;
    const why = (l.err?.message ?? l.error ?? '').slice(0, 120);
    const k = `${bench.phase}: ${l.msg ?? '?'}${why ? ` (${why})` : ''}`;
    warnings.set(k, (warnings.get(k) ?? 0) + 1);
  } catch {
    // not a log line
  }
}

// ---------------------------------------------------------------------------------------------------------

interface Pass {
  name: string;
  events: number;
  postedMs: number;
  projectedMs: number;
  detectedMs: number;
  deliveredMs?: number;
}

/** Firings recorded (milestone reached / exited, sequence) and outbox rows (all, delivered, failed) so far. */
async function tableCounts(pg: Client): Promise<Record<string, number>> {
  const row = (
    await pg.query(
      `SELECT (SELECT count(*) FROM milestone_events WHERE kind = 'reached')::int AS reached,
              (SELECT count(*) FROM milestone_events WHERE kind = 'exited')::int AS exited,
              (SELECT count(*) FROM sequence_events)::int AS sequences,
              (SELECT count(*) FROM notification_deliveries)::int AS deliveries,
              (SELECT count(*) FROM notification_deliveries WHERE status = 'delivered')::int AS delivered,
              (SELECT count(*) FROM notification_deliveries WHERE status IN ('terminal_4xx', 'retry_exhausted', 'enqueue_failed'))::int AS failed`,
    )
  ).rows[0] as Record<string, number>;
  return row;
}

/** Whether outbox rows are still to be sent (pending or enqueue_failed: the rows of the partial due index). */
async function rowsToSend(pg: Client): Promise<boolean> {
  const [{ waiting }] = (await pg.query(`SELECT EXISTS (SELECT 1 FROM notification_deliveries WHERE status IN ('pending', 'enqueue_failed')) AS waiting`)).rows;
  return waiting as boolean;
}

/** Whether `trigger_detection` is still short of the last stored event. */
async function detectionBehind(pg: Client): Promise<boolean> {
  const [{ behind }] = (
    await pg.query(
      `SELECT count(*)::int AS behind FROM projection_checkpoints
        WHERE name = 'trigger_detection' AND last_position < (SELECT coalesce(max(global_position), 0) FROM event_store_events)`,
    )
  ).rows;
  return behind > 0;
}

/** The worker's metrics port (its recorded-events counter tells when a pass's events are all recorded). */
let workerMetricsPort = 0;

/** Until `done()` or `ms` elapsed (then throws `what`); the worker must stay up. */
async function waitFor(what: string, done: () => Promise<boolean>, ms = 300_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return;
    const gone = bench.procs.find((p) => p.child.exitCode !== null);
    if (gone) throw new Error(`${gone.role} exited:\n${gone.tail()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${ms / 1000} s`);
    await sleep(100);
  }
}

/** POSTs `bodies` (arrays of events) from CLIENTS keep-alive clients; the event ids answered, in order of answer. */
async function postAll(auth: string, bodies: string[]): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await request(agent, 'POST', '/ingest', auth, body);
        if (res.status !== 202) throw new Error(`POST /ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
        ids.push(...(JSON.parse(res.body).event_ids as string[]));
      }
    }),
  );
  agent.destroy();
  return ids;
}

/** `n` events over `leads` leads numbered from `firstLead` (each at least once, the rest at random), shuffled, as 500-event bodies. */
function bodiesFor(n: number, leads: number, firstLead: number): string[] {
  const leadOf = Array.from({ length: n }, (_, i) => firstLead + (i < leads ? i : Math.floor(Math.random() * leads)));
  for (let i = leadOf.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [leadOf[i], leadOf[j]] = [leadOf[j], leadOf[i]];
  }
  const bodies: string[] = [];
  for (let i = 0; i < leadOf.length; i += BATCH) bodies.push(JSON.stringify(leadOf.slice(i, i + BATCH).map((l) => event(l))));
  return bodies;
}

/** A probe: PROBE_TYPE to a lead of its own (alias range far above the others), so it crosses exactly PER_PROBE milestones. */
let probeNo = 0;
const probeEvent = () => event(10_000_000 + probeNo++, PROBE_TYPE);

/**
 * One pass of (a): posts the events, waits until they are projected and `trigger_detection` has passed them and,
 * when `deliveries`, until every outbox row is delivered.
 */
async function pass(pg: Client, name: string, auth: string, bodies: string[], events: number, deliveries: boolean): Promise<Pass> {
  const before = await countProjected(pg);
  const recordedBefore = (await recordedBy(workerMetricsPort)) ?? 0;
  const started = performance.now();
  await postAll(auth, bodies);
  const postedMs = performance.now() - started;
  // the worker's own counter until it recorded every event, lead_events only then: counting lead_events every 100 ms
  // through the pass loads the PostgreSQL being measured (more in the later, larger-table pass)
  await waitFor(`${name}: recording`, async () => ((await recordedBy(workerMetricsPort)) ?? Infinity) - recordedBefore >= events);
  await waitFor(`${name}: projection`, async () => (await countProjected(pg)) - before >= events);
  const projectedMs = performance.now() - started;
  await waitFor(`${name}: trigger detection`, async () => !(await detectionBehind(pg)));
  const detectedMs = performance.now() - started;
  let deliveredMs: number | undefined;
  if (deliveries) {
    // every outbox row of the pass is committed with the detection that wrote it: none left to send = all delivered or
    // given up. Read through the partial due index (the rows still to send), not by counting the tables: those counts
    // scan every firing and delivery row (80 ms each at the end of a run), PostgreSQL CPU charged to the triggers passes only
    await waitFor(`${name}: deliveries`, async () => !(await rowsToSend(pg)));
    deliveredMs = performance.now() - started;
  }
  return { name, events, postedMs, projectedMs, detectedMs, deliveredMs };
}

const rateOf = (p: Pass) => p.events / (p.detectedMs / 1000);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${fmt(x, 1)}`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Before each pass of (a): the planner statistics brought up to date (BENCH_ANALYZE=0: not), the previous pass's dirty
 * pages written out and a short rest, so no pass pays for its predecessor's background writes. The statistics are what
 * autovacuum's analyze keeps current on a production server; a server with autovacuum off (as this machine's CI
 * configuration has it) plans every pass with the statistics of an empty database.
 */
async function settle(pg: Client): Promise<void> {
  if (process.env.BENCH_ANALYZE !== '0') await pg.query('ANALYZE');
  await pg.query('CHECKPOINT');
  await sleep(S.settleMs);
}

const dbNow = async (pg: Client): Promise<string> => String((await pg.query(`SELECT now()::text AS t`)).rows[0].t);

/** Events that fired at least one milestone (reached) or completed a sequence, among firings recorded since `since`. */
async function firingEventsSince(pg: Client, since: string): Promise<number> {
  const { rows } = await pg.query(
    `SELECT count(DISTINCT event_id)::int AS n FROM (SELECT event_id FROM milestone_events WHERE kind = 'reached' AND fired_at >= $1
       UNION ALL SELECT (event_ids->>-1)::uuid FROM sequence_events WHERE fired_at >= $1) x`,
    [since],
  );
  return rows[0].n as number;
}

async function run(): Promise<void> {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  bench.phase = 'startup';
  await bench.startApi(1, await freePort(), SERVER_ENV);
  const setup = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const admin = await adminBearer(setup);
  const plain = await seedCredential(setup, admin, 'bench-plain');
  await seedRulesets(setup, plain);
  const unit = (await json(setup, 'POST', '/org-units', admin, { name: 'Bench triggers' })).unit_id as string;
  const withTriggers = await seedCredential(setup, admin, 'bench-triggers', unit);
  await seedRulesets(setup, withTriggers);
  for (const [i, threshold] of MILESTONES.entries())
    await json(setup, 'POST', '/triggers', withTriggers, {
      name: `Milestone ${threshold}`,
      score_threshold: threshold,
      ...(DESTINATIONS ? { webhook_url: `${hook}/m${i}` } : {}),
    });
  for (const [i, s] of SEQUENCES.entries())
    await json(setup, 'POST', '/sequences', withTriggers, {
      name: `Sequence ${i + 1}`,
      ...s,
      window_seconds: [600, 900, 1200, 1800][i % 4],
      window_unit: 'minutes',
      ...(DESTINATIONS ? { webhook_url: `${hook}/s${i}` } : {}),
    });
  setup.destroy();
  // BENCH_PG_LOG_MS=<ms>: the worker's statements taking at least that long go to the PostgreSQL server log
  if (process.env.BENCH_PG_LOG_MS) {
    const admin = new Client({ connectionString: bench.dbUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${bench.dbName}" SET log_min_duration_statement = ${Number(process.env.BENCH_PG_LOG_MS)}`);
    await admin.end();
  }
  workerMetricsPort = await freePort();
  await bench.startWorker(1, { ...SERVER_ENV, WORKER_METRICS_PORT: String(workerMetricsPort) }, countWarnings);

  const pg = new Client({ connectionString: bench.dbUrl });
  // a connection ended under it (the database dropped by someone else, a server restart): the next query fails the run, with cleanup
  pg.on('error', (err) => process.stderr.write(`\nthe bench's PostgreSQL connection failed: ${err.message}\n`));
  await pg.connect();
  bench.ownBackend((await pg.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number);
  console.log('\nkenbun trigger benchmark\n');
  printPairs([
    ...(await environmentPairs(pg, bench.redisUrl)),
    ['processes', '1 api (dist/src/main.js, LOG_LEVEL=warn), 1 worker (dist/src/worker.js, LOG_LEVEL=info); OUTBOUND_ALLOW_HOSTS=127.0.0.1'],
    ['scoring setup', 'per OU: 3 rulesets x 20 rules (as bench:ingest), the first primary'],
    [
      'triggers',
      `OU "triggers": ${MILESTONES.length} milestone (thresholds ${MILESTONES.join(', ')}; any event; fire once), ${SEQUENCES.length} sequence (2-3 steps, 10-30 min); ${DESTINATIONS ? `each a webhook to ${hook}/…` : 'no destinations (BENCH_DESTINATIONS=0: firings recorded, nothing delivered)'}`,
    ],
    ['load average', `${loadAverage()} at the start`],
    ['(a)', `${fmt(S.events)} events over ${fmt(S.leads)} leads per pass, ${BATCH}-event batches from ${CLIENTS} clients; warm-up ${fmt(S.warmup)} events`],
    ['(b)', `${S.rate} single-event POSTs/s for ${S.seconds} s; 1 in ${S.probeEvery} a probe (${PROBE_TYPE}, +${PROBE_POINTS}: ${PER_PROBE} milestones)`],
    ['(c)', `${fmt(S.burst)} deliveries from ${fmt(Math.ceil(S.burst / PER_PROBE))} probe events sent at once`],
  ]);
  const results: string[] = [];
  const cpuLines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'MET' : 'MISSED');
  /** CPU µs per event of a phase: worker, api, PostgreSQL (this database + WAL/background), Redis */
  const cpuPerEvent = (phase: string, events: number) => {
    const m = bench.machine.get(phase)!;
    const per = (v: number) => fmt((v / events) * 1e6, 0);
    const procs = bench.procs.map((p) => `${p.role} ${per(p.cpu.get(phase) ?? 0)}`);
    return `${procs.join(', ')}, postgres ${per(m.postgres + m.postgresBackground)} (this db ${per(m.postgres)}), redis ${per(m.redis)} µs/event; wall ${fmt(bench.phaseWall.get(phase) ?? 0, 1)} s, machine busy ${fmt(m.busy, 1)} CPU s`;
  };

  // ------------------------------------------------------------------ (a) end to end, without and with triggers
  if (runs('a')) {
    bench.enter('(a) warm-up');
    process.stdout.write('\n(a) warm-up ... ');
    // both OUs, so that the first triggers pass is not the one that warms up detection, the outbox and the deliveries
    await pass(pg, 'warm-up', plain, bodiesFor(S.warmup, Math.min(S.leads, S.warmup), 1_000_000), S.warmup, false);
    await pass(pg, 'warm-up', withTriggers, bodiesFor(S.warmup, Math.min(S.leads, S.warmup), 2_000_000), S.warmup, true);
    console.log('done');

    // pairs in Thue–Morse order, each pass on leads of its own: tables grow with every pass, and the machine drifts, on both sides alike
    const offs: Pass[] = [];
    const ons: Pass[] = [];
    const offPhases: string[] = [];
    const onPhases: string[] = [];
    const fired = { reached: 0, exited: 0, sequences: 0, deliveries: 0, delivered: 0, received: 0, events: 0 };
    const pairLines: string[] = [];
    for (let i = 0; i < S.pairs; i++) {
      const firstLead = i * S.leads;
      const withFirst = withTriggersFirst(i);
      const order = withFirst ? [true, false] : [false, true];
      let off: Pass | undefined;
      let on: Pass | undefined;
      for (const withT of order) {
        bench.enter(`(a) settle ${i + 1}${withT ? 't' : 'p'}`);
        await settle(pg);
        const phase = `(a) ${withT ? 'triggers' : 'no triggers'} #${i + 1}`;
        (withT ? onPhases : offPhases).push(phase);
        const countsBefore = await tableCounts(pg);
        const arrivedBefore = arrivals.size;
        const since = await dbNow(pg);
        bench.enter(phase);
        process.stdout.write(`${phase} ... `);
        const p = await pass(pg, phase, withT ? withTriggers : plain, bodiesFor(S.events, S.leads, firstLead), S.events, withT);
        console.log(
          `${fmt(S.events / (p.detectedMs / 1000))} events/s (posted ${fmt(p.postedMs / 1000, 2)} s, projected ${fmt(p.projectedMs / 1000, 2)} s, ` +
            `detected ${fmt(p.detectedMs / 1000, 2)} s${p.deliveredMs === undefined ? '' : `, delivered ${fmt(p.deliveredMs / 1000, 2)} s`})`,
        );
        bench.enter(`(a) after ${phase}`);
        if (withT) {
          on = p;
          const counts = await tableCounts(pg);
          for (const k of ['reached', 'exited', 'sequences', 'deliveries', 'delivered'] as const) fired[k] += counts[k] - countsBefore[k];
          fired.received += arrivals.size - arrivedBefore;
          fired.events += await firingEventsSince(pg, since);
        } else off = p;
      }
      offs.push(off!);
      ons.push(on!);
      const offEps = rateOf(off!);
      const onEps = rateOf(on!);
      pairLines.push(
        `    pair ${i + 1} (${withFirst ? 'with first' : 'without first'}): ${fmt(offEps)} -> ${fmt(onEps)} events/s, ${signed((100 * (onEps - offEps)) / offEps)} %` +
          ` (every delivery received at ${fmt(on!.deliveredMs! / 1000, 2)} s of ${fmt(on!.detectedMs / 1000, 2)} s)`,
      );
    }

    const offMed = median(offs.map(rateOf));
    const onMed = median(ons.map(rateOf));
    const diff = (100 * (onMed - offMed)) / offMed;
    const pairDiffs = offs.map((o, i) => (100 * (rateOf(ons[i]) - rateOf(o))) / rateOf(o));
    const firings = fired.reached + fired.sequences;
    const allEvents = S.events * S.pairs;
    results.push(
      `(a) end to end, ${fmt(S.events)} events over ${fmt(S.leads)} new leads per pass, ${S.pairs} pairs in Thue–Morse order (first POST -> projected and trigger_detection past the last event):`,
      ...pairLines,
      `    medians: no triggers ${fmt(offMed)} events/s, 30 triggers ${fmt(onMed)} events/s: ${signed(diff)} % (median pair ${signed(median(pairDiffs))} %; target: no more than ${TARGET.overheadPct} % below: ${mark(diff >= -TARGET.overheadPct)})`,
      `    firings over the triggers passes: ${fmt(fired.reached)} milestone reached (+ ${fmt(fired.exited)} exited, not delivered), ${fmt(fired.sequences)} sequence; ` +
        `${fmt(fired.events)} of ${fmt(allEvents)} events (${fmt((100 * fired.events) / allEvents, 1)} %) fired at least one; ` +
        `${fmt(fired.deliveries)} outbox rows, ${fmt(fired.delivered)} delivered, ${fmt(fired.received)} received`,
    );
    const cpuOf = (phases: string[], role: string) => phases.reduce((s, ph) => s + (bench.procs.find((p) => p.role === role)?.cpu.get(ph) ?? 0), 0);
    const pgOf = (phases: string[]) => phases.reduce((s, ph) => s + bench.machine.get(ph)!.postgres + bench.machine.get(ph)!.postgresBackground, 0);
    const per = (v: number, n: number) => fmt((v / n) * 1e6, 0);
    const clientOf = (phases: string[]) => phases.reduce((sum, ph) => sum + bench.machine.get(ph)!.client, 0);
    const line = (phases: string[]) =>
      `${bench.procs.map((p) => `${p.role} ${per(cpuOf(phases, p.role), allEvents)}`).join(', ')}, postgres ${per(pgOf(phases), allEvents)} µs/event` +
      // the receiver runs in this process, on the same cores: its share of the machine is not the server's, but it slows the pass
      `; this process (load generator + webhook receiver) ${per(clientOf(phases), allEvents)} µs/event`;
    cpuLines.push(`    (a) no triggers (${S.pairs} passes): ${line(offPhases)}`, `    (a) triggers (${S.pairs} passes):    ${line(onPhases)}`);
    const extraW = cpuOf(onPhases, 'worker#1') - cpuOf(offPhases, 'worker#1');
    const extraP = pgOf(onPhases) - pgOf(offPhases);
    const extraA = cpuOf(onPhases, 'api#1') - cpuOf(offPhases, 'api#1');
    const base = cpuOf(offPhases, 'worker#1') + cpuOf(offPhases, 'api#1') + pgOf(offPhases);
    cpuLines.push(
      `    triggers' extra CPU per event: worker ${per(extraW, allEvents)} µs, api ${per(extraA, allEvents)} µs, postgres ${per(extraP, allEvents)} µs` +
        ` (${signed((100 * (extraW + extraA + extraP)) / base)} % of the events' CPU without triggers)` +
        (firings ? `; per firing: worker ${per(extraW, firings)} µs, postgres ${per(extraP, firings)} µs` : ''),
    );
  }

  // ------------------------------------------------------------------ (b) ingest -> delivered latency at a steady rate
  if (runs('b')) {
    bench.enter('(b) latency');
    process.stdout.write('(b) steady rate ... ');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const sentAt = new Map<string, number>();
    const probes = new Set<string>();
    const total = S.rate * S.seconds;
    let sent = 0;
    let outstanding = 0;
    const inFlight: Promise<void>[] = [];
    const since = performance.now();
    const fire = (k: number) => {
      const probe = k % S.probeEvery === 0;
      const body = JSON.stringify(probe ? probeEvent() : event(Math.floor(Math.random() * S.leads)));
      const t0 = performance.now();
      outstanding++;
      inFlight.push(
        (async () => {
          const res = await request(agent, 'POST', '/ingest', withTriggers, body).finally(() => outstanding--);
          if (res.status !== 202) throw new Error(`POST /ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
          const id = (JSON.parse(res.body).event_ids as string[])[0];
          sentAt.set(id, t0);
          if (probe) probes.add(id);
        })(),
      );
    };
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - since) / 1000) * S.rate));
        while (sent < due) fire(sent++);
        if (sent >= total || outstanding > S.rate * 10) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    const sendSeconds = (performance.now() - since) / 1000;
    await Promise.all(inFlight);
    agent.destroy();
    const expectedProbes = probes.size * PER_PROBE;
    await waitFor('(b): probe deliveries', async () => arrivedSince(since).filter((a) => probes.has(a.eventId)).length >= expectedProbes, 60_000);
    await waitFor('(b): deliveries', async () => !(await rowsToSend(pg)));
    bench.enter('(b) done');
    const mine = arrivedSince(since).filter((a) => sentAt.has(a.eventId));
    const all = mine.map((a) => a.at - sentAt.get(a.eventId)!).sort((x, y) => x - y);
    const probeLat = mine
      .filter((a) => probes.has(a.eventId))
      .map((a) => a.at - sentAt.get(a.eventId)!)
      .sort((x, y) => x - y);
    const q = (xs: number[]) =>
      `p50 ${fmt(percentile(xs, 50))} ms, p95 ${fmt(percentile(xs, 95))} ms, p99 ${fmt(percentile(xs, 99))} ms, max ${fmt(xs[xs.length - 1])} ms`;
    console.log(`p99 ${fmt(percentile(all, 99))} ms`);
    results.push(
      `(b) ingest -> delivered at ${fmt(sent / sendSeconds)} events/s for ${fmt(sendSeconds, 1)} s (${fmt(sent)} events, ${fmt(probes.size)} probes):`,
      `    all ${fmt(all.length)} deliveries of (b): ${q(all)} (target p99 <= ${fmt(TARGET.p99Ms)} ms ${mark(percentile(all, 99) <= TARGET.p99Ms)})`,
      `    the probes' ${fmt(probeLat.length)} deliveries (${PER_PROBE} each): ${q(probeLat)}`,
    );
    cpuLines.push(`    (b) latency:     ${cpuPerEvent('(b) latency', sent)}`);
  }

  // ------------------------------------------------------------------ (c) burst delivery throughput
  if (runs('c')) {
    bench.enter('(c) burst');
    process.stdout.write('(c) burst ... ');
    const events = Math.ceil(S.burst / PER_PROBE);
    const expected = events * PER_PROBE;
    const bodies: string[] = [];
    for (let i = 0; i < events; i += BATCH) bodies.push(JSON.stringify(Array.from({ length: Math.min(BATCH, events - i) }, probeEvent)));
    const since = performance.now();
    const ids = new Set(await postAll(withTriggers, bodies));
    const postedMs = performance.now() - since;
    await waitFor('(c): deliveries', async () => arrivedSince(since).filter((a) => ids.has(a.eventId)).length >= expected, 180_000);
    bench.enter('(c) done');
    const got = arrivedSince(since).filter((a) => ids.has(a.eventId));
    const first = Math.min(...got.map((a) => a.at));
    const last = Math.max(...got.map((a) => a.at));
    const dps = expected / ((last - first) / 1000);
    console.log(`${fmt(dps)} deliveries/s`);
    results.push(
      `(c) burst: ${fmt(events)} events (POSTed in ${fmt(postedMs / 1000, 2)} s) -> ${fmt(expected)} deliveries; first received ${fmt((first - since) / 1000, 2)} s after the first POST, ` +
        `last ${fmt((last - since) / 1000, 2)} s: ${fmt(dps)} deliveries/s first to last received (target >= ${TARGET.deliveriesPerSecond} ${mark(dps >= TARGET.deliveriesPerSecond)}), ` +
        `${fmt(expected / ((last - since) / 1000))} deliveries/s from the first POST`,
    );
    cpuLines.push(`    (c) burst:       ${cpuPerEvent('(c) burst', expected).replace('µs/event', 'µs/delivery')}`);
  }

  // ------------------------------------------------------------------ exactly once
  await waitFor('final: deliveries', async () => {
    const c = await tableCounts(pg);
    return c.delivered + c.failed >= c.deliveries;
  });
  await sleep(300);
  const final = await tableCounts(pg);
  const twice = [...received.values()].filter((n) => n > 1).length;
  const onceLine = `exactly once: ${fmt(final.deliveries)} outbox rows, ${fmt(final.delivered)} delivered, ${fmt(final.failed)} failed; receiver saw ${fmt(received.size)} delivery ids, ${twice} more than once`;
  console.log('\nresults\n');
  console.log(results.join('\n'));
  console.log(`\nCPU per event (user + system; ${os.cpus().length} cores; load average at the end ${loadAverage()})`);
  console.log(cpuLines.join('\n'));
  console.log(`\n${onceLine}`);
  console.log(
    `worker warnings and errors: ${
      warnings.size
        ? [...warnings]
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => `\n    ${n} x ${k}`)
            .join('')
        : 'none'
    }`,
  );
  await pg.end();
  receiver.close();
  if (twice || final.failed || final.delivered !== final.deliveries || received.size !== final.deliveries)
    throw new Error(`deliveries not exactly once: ${onceLine}`);
}

runBench(bench, run);
