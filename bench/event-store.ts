/**
 * Event store benchmark: append throughput and projection catch-up rate against a real PostgreSQL.
 *
 *   npm run bench:event-store            (builds, then runs dist/bench/event-store.js)
 *
 * It creates a throwaway database `kenbun_bench_<random>` on the server named by DATABASE_URL, migrates it,
 * runs the scenarios below and drops the database again, also when a scenario fails or the run is interrupted.
 * It talks to EventStore and ProjectionRunner directly; no Nest application is started.
 *
 * Settings (environment variables):
 *   DATABASE_URL             server to use; only its database name is replaced (default postgres://postgres@127.0.0.1:5432/kenbun)
 *   BENCH_EVENTS             events per batched scenario (default 400000)
 *   BENCH_SINGLE_EVENTS      single-event appends (default BENCH_EVENTS / 10)
 *   BENCH_CONCURRENCY        concurrent clients for single-event appends (default 16)
 *   BENCH_BATCH_CONCURRENCY  concurrent clients for batched appends to many streams (default 8)
 *   BENCH_POOL_SIZE          connection pool size (default: the larger concurrency)
 *   PROJECTION_BATCH_SIZE    events per projection batch, as in the server (default 2000)
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';
import { dataSourceOptions } from '../ormconfig';
import { AppConfig } from '../src/config/app-config';
import { SystemClock } from '../src/platform/clock/clock';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';
import { EventStore } from '../src/platform/event-store/event-store.service';
import { EventMetadata, ExpectedVersion, NewEvent, StoredEvent, StreamAppend } from '../src/platform/event-store/event-store.types';
import { Projection } from '../src/platform/projections/projection';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { StreamSummariesProjection } from '../src/platform/projections/stream-summaries.projection';
import { gitCommit } from './support/common';
import { machinePairs } from './support/environment';

const STREAM_COUNT = 10_000;
const BATCH = 100;
/** appendMany scenario: a batch of BATCH events spread over this many streams. */
const STREAMS_PER_MULTI_APPEND = 10;
const TARGET_BATCHED_EPS = 40_000;
const TARGET_CATCH_UP_EPS = 20_000;

interface Settings {
  serverUrl: string;
  batchedEvents: number;
  singleEvents: number;
  concurrency: number;
  batchConcurrency: number;
  poolSize: number;
}

interface Measurement {
  name: string;
  detail: string;
  clients: number;
  events: number;
  calls: number;
  ms: number;
  /** Per-call latencies in ms (empty for catch-up, where a "call" is a projection batch). */
  latencies: number[];
  target?: number;
}

function readSettings(): Settings {
  const int = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
    return n;
  };
  const batchedEvents = roundUp(int('BENCH_EVENTS', 400_000), BATCH);
  const concurrency = int('BENCH_CONCURRENCY', 16);
  const batchConcurrency = int('BENCH_BATCH_CONCURRENCY', 8);
  // Each client owns a disjoint share of the streams and appendMany needs that many distinct ones of its own.
  const maxClients = STREAM_COUNT / STREAMS_PER_MULTI_APPEND;
  if (concurrency > maxClients || batchConcurrency > maxClients) throw new Error(`at most ${maxClients} concurrent clients`);
  return {
    serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kenbun',
    batchedEvents,
    singleEvents: int('BENCH_SINGLE_EVENTS', Math.max(1, Math.floor(batchedEvents / 10))),
    concurrency,
    batchConcurrency,
    poolSize: int('BENCH_POOL_SIZE', Math.max(concurrency, batchConcurrency)),
  };
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

function benchDatabaseUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/kenbun_bench_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------------------
// Realistic events: what the tracking pipeline appends to a lead's stream.

const EVENT_TYPES = ['lead.page_viewed', 'lead.page_viewed', 'lead.page_viewed', 'lead.email_opened', 'lead.form_submitted', 'lead.score_adjusted'];
const PAGES = ['/pricing', '/product/scoring', '/blog/intent-signals-2025', '/customers/acme', '/docs/getting-started', '/demo'];
const SOURCES = ['google', 'linkedin', 'newsletter', 'partner', 'direct'];
const MEDIUMS = ['cpc', 'email', 'social', 'referral', 'organic'];
const CAMPAIGNS = ['q3-enterprise-push', 'webinar-followup', 'retargeting-eu', 'brand-2025'];
const ORGS = Array.from({ length: 20 }, () => randomUUID());

function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(Math.random() * xs.length)];
}

function leadEvent(leadId: string): NewEvent {
  return {
    type: pick(EVENT_TYPES),
    payload: {
      lead_id: leadId,
      session_id: randomUUID(),
      page_url: `https://www.example-customer.com${pick(PAGES)}?ref=nav`,
      referrer: 'https://www.google.com/',
      utm_source: pick(SOURCES),
      utm_medium: pick(MEDIUMS),
      utm_campaign: pick(CAMPAIGNS),
      dwell_ms: Math.floor(Math.random() * 120_000),
      score_delta: Math.floor(Math.random() * 10),
    },
  };
}

function appendMetadata(orgIndex: number): EventMetadata {
  return {
    org_id: ORGS[orgIndex % ORGS.length],
    unit_id: `unit-${orgIndex % 7}`,
    actor: 'system:tracking-ingest',
    correlation_id: randomUUID(),
    causation_id: randomUUID(),
  };
}

/** The streams of one scenario, dealt out so that each client owns a disjoint share. */
class StreamSet {
  readonly ids: string[];
  private readonly versions = new Map<string, number>();

  constructor(prefix: string, count: number) {
    this.ids = Array.from({ length: count }, () => `${prefix}-${randomUUID()}`);
  }

  /**
   * A random stream owned by `client`. Clients never share a stream: concurrent appends to one stream
   * are conflicts (even with expectedVersion 'any', see the report), and real writers serialise per lead.
   */
  pickFor(client: number, clients: number): number {
    const owned = Math.ceil((this.ids.length - client) / clients);
    return client + clients * Math.floor(Math.random() * owned);
  }

  /** Distinct streams owned by `client`. */
  pickManyFor(client: number, clients: number, n: number): number[] {
    const chosen = new Set<number>();
    while (chosen.size < n) chosen.add(this.pickFor(client, clients));
    return [...chosen];
  }

  /** Optimistic concurrency as the aggregates use it: the version last written. */
  expected(i: number): ExpectedVersion {
    const v = this.versions.get(this.ids[i]) ?? 0;
    return v === 0 ? 'no_stream' : v;
  }

  wrote(streamId: string, version: number): void {
    this.versions.set(streamId, version);
  }

  appendFor(i: number, events: number, orgIndex: number): StreamAppend {
    const streamId = this.ids[i];
    return {
      streamId,
      streamType: 'lead',
      expectedVersion: this.expected(i),
      events: Array.from({ length: events }, () => leadEvent(streamId)),
      metadata: appendMetadata(orgIndex),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Scenarios

/**
 * Runs `calls` operations on `clients` concurrent loops; each op returns how many events it appended.
 * Latency is measured around each call so queueing for a pool connection counts, as it would in the server.
 */
async function runClients(clients: number, calls: number, op: (client: number) => Promise<number>): Promise<Omit<Measurement, 'name' | 'detail' | 'target'>> {
  let next = 0;
  let events = 0;
  const latencies: number[] = [];
  const loop = async (client: number) => {
    while (next < calls) {
      next++;
      const t = performance.now();
      // Not `events += await op()`: that reads `events` before the await and loses the other clients' counts.
      const appended = await op(client);
      events += appended;
      latencies.push(performance.now() - t);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  return { clients, events, calls, ms: performance.now() - started, latencies };
}

async function singleAppends(store: EventStore, s: Settings): Promise<Measurement> {
  const streams = new StreamSet('lead-single', STREAM_COUNT);
  const r = await runClients(s.concurrency, s.singleEvents, async (client) => {
    const i = streams.pickFor(client, s.concurrency);
    const a = streams.appendFor(i, 1, i);
    const res = await store.append(a.streamId, a.streamType, a.expectedVersion, a.events, a.metadata);
    streams.wrote(a.streamId, res.version);
    return 1;
  });
  return { name: '1. single-event appends', detail: `1 event/append, ${STREAM_COUNT.toLocaleString('en-US')} streams, expected version checked`, ...r };
}

async function batchesToOneStream(store: EventStore, s: Settings): Promise<Measurement> {
  // One stream admits one writer at a time (a second one conflicts), so this scenario is sequential.
  const streams = new StreamSet('lead-hot', 1);
  const r = await runClients(1, s.batchedEvents / BATCH, async () => {
    const a = streams.appendFor(0, BATCH, 0);
    const res = await store.append(a.streamId, a.streamType, a.expectedVersion, a.events, a.metadata);
    streams.wrote(a.streamId, res.version);
    return BATCH;
  });
  return { name: '2. 100-event batches, one stream', detail: `${BATCH} events/append, 1 stream, sequential`, ...r, target: TARGET_BATCHED_EPS };
}

async function batchesToManyStreams(store: EventStore, s: Settings): Promise<Measurement> {
  const streams = new StreamSet('lead-batch', STREAM_COUNT);
  const r = await runClients(s.batchConcurrency, s.batchedEvents / BATCH, async (client) => {
    const i = streams.pickFor(client, s.batchConcurrency);
    const a = streams.appendFor(i, BATCH, i);
    const res = await store.append(a.streamId, a.streamType, a.expectedVersion, a.events, a.metadata);
    streams.wrote(a.streamId, res.version);
    return BATCH;
  });
  return {
    name: '3a. 100-event batches, 10k streams',
    detail: `${BATCH} events of ONE random stream per append, ${STREAM_COUNT.toLocaleString('en-US')} streams`,
    ...r,
    target: TARGET_BATCHED_EPS,
  };
}

async function multiStreamBatches(store: EventStore, s: Settings): Promise<Measurement> {
  const streams = new StreamSet('lead-multi', STREAM_COUNT);
  const perStream = BATCH / STREAMS_PER_MULTI_APPEND;
  const r = await runClients(s.batchConcurrency, s.batchedEvents / BATCH, async (client) => {
    const picked = streams.pickManyFor(client, s.batchConcurrency, STREAMS_PER_MULTI_APPEND);
    const results = await store.appendMany(picked.map((i) => streams.appendFor(i, perStream, i)));
    for (const res of results) streams.wrote(res.streamId, res.version);
    return BATCH;
  });
  return {
    name: '3b. 100-event appendMany, 10k streams',
    detail: `appendMany: ${STREAMS_PER_MULTI_APPEND} random streams x ${perStream} events per call, ${STREAM_COUNT.toLocaleString('en-US')} streams`,
    ...r,
    target: TARGET_BATCHED_EPS,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Projection catch-up

/** Reads and checkpoints but writes nothing: separates the cost of readAll + checkpointing from the handler's. */
class NullProjection implements Projection {
  readonly name = 'bench_null';
  readonly tables: string[] = [];
  async handle(_events: StoredEvent[], _m: EntityManager): Promise<void> {}
}

async function catchUp(runner: ProjectionRunner, p: Projection, label: string, batchSize: number, detail: string, target?: number): Promise<Measurement> {
  const started = performance.now();
  let calls = 0;
  const events = await runner.catchUp(p, () => calls++);
  return {
    name: `${label} catch-up: ${p.name}`,
    detail: `${detail}, ${batchSize} events/batch`,
    clients: 1,
    events,
    calls,
    ms: performance.now() - started,
    latencies: [],
    target,
  };
}

function projectionRunner(ds: DataSource, store: EventStore, url: string, projections: Projection[]): { runner: ProjectionRunner; config: AppConfig } {
  const config = AppConfig.fromProcess({ DATABASE_URL: url });
  // ProjectionRegistry discovers projections through Nest; here the two methods the runner calls are enough.
  const registry = {
    all: () => projections,
    get: (name: string) => {
      const p = projections.find((x) => x.name === name);
      if (!p) throw new Error(`no projection named ${name}`);
      return p;
    },
  } as unknown as ProjectionRegistry;
  return { runner: new ProjectionRunner(ds, store, registry, config), config };
}

async function countEvents(ds: DataSource): Promise<number> {
  const [{ n }] = await ds.query(`SELECT count(*)::bigint AS n FROM event_store_events`);
  return Number(n);
}

/** Guards against measuring a broken run: the projection must have seen every stored event. */
async function verifyCatchUp(ds: DataSource, runner: ProjectionRunner, store: EventStore, name: string): Promise<void> {
  const [{ streams }] = await ds.query(`SELECT count(DISTINCT stream_id)::int AS streams FROM event_store_events`);
  const [{ summaries, total }] = await ds.query(`SELECT count(*)::int AS summaries, coalesce(sum(event_count), 0)::bigint AS total FROM stream_summaries`);
  const stored = await countEvents(ds);
  const cp = await runner.checkpoint(name);
  if (summaries !== streams || Number(total) !== stored || cp.eventsProcessed !== stored) {
    throw new Error(`catch-up incomplete: ${summaries}/${streams} summaries, ${total}/${stored} events summarised, checkpoint at ${cp.eventsProcessed}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Environment and output

async function environment(ds: DataSource, s: Settings, url: string, projectionBatch: number): Promise<[string, string][]> {
  const [{ version }] = await ds.query(`SELECT version()`);
  const pgSetting = async (name: string) => (await ds.query(`SELECT current_setting($1) AS v`, [name]))[0].v as string;
  const pg: string[] = [];
  for (const name of ['synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'max_wal_size', 'max_connections']) {
    pg.push(`${name}=${await pgSetting(name)}`);
  }
  return [
    ...machinePairs(),
    ['PostgreSQL', version],
    ['PG settings', pg.join(', ')],
    ['database', `${new URL(url).host}${new URL(url).pathname} (throwaway)`],
    ['git commit', gitCommit()],
    ['events', `${s.singleEvents.toLocaleString('en-US')} single appends; ${s.batchedEvents.toLocaleString('en-US')} events per batched scenario`],
    ['concurrency', `single appends: ${s.concurrency} clients; batches to 10k streams: ${s.batchConcurrency} clients; one stream: 1 client`],
    ['pool size', String(s.poolSize)],
    ['projection batch', `${projectionBatch} events (PROJECTION_BATCH_SIZE)`],
  ];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

function renderTable(headers: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => (rightAligned.has(c) ? x.padStart(widths[c]) : x.padEnd(widths[c]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function renderPairs(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function resultsTable(ms: Measurement[]): string {
  const rows = ms.map((m) => {
    const sorted = [...m.latencies].sort((a, b) => a - b);
    const eps = m.events / (m.ms / 1000);
    const target = m.target === undefined ? '' : `>= ${fmt(m.target)} ${eps >= m.target ? 'MET' : 'MISSED'}`;
    return [
      m.name,
      String(m.clients),
      fmt(m.events),
      fmt(m.ms / 1000, 2),
      fmt(eps),
      fmt(m.calls / (m.ms / 1000)),
      fmt(percentile(sorted, 50), 1),
      fmt(percentile(sorted, 99), 1),
      target,
    ];
  });
  return renderTable(
    ['scenario', 'clients', 'events', 'seconds', 'events/s', 'calls/s', 'p50 ms', 'p99 ms', 'target events/s'],
    rows,
    new Set([1, 2, 3, 4, 5, 6, 7]),
  );
}

// ---------------------------------------------------------------------------------------------------------

async function run(s: Settings, url: string): Promise<void> {
  const opts = { ...dataSourceOptions(url, s.poolSize), logging: ['error', 'warn'] } as DataSourceOptions;
  const ds = await new DataSource(opts).initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const store = new EventStore(ds, new SystemClock());
    const summaries = new StreamSummariesProjection();
    const nothing = new NullProjection();
    const { runner, config } = projectionRunner(ds, store, url, [summaries, nothing]);
    const batch = config.env.PROJECTION_BATCH_SIZE;

    console.log('\nkenbun event store benchmark\n');
    console.log(renderPairs(await environment(ds, s, url, batch)));

    const results: Measurement[] = [];
    const step = async (label: string, f: () => Promise<Measurement>) => {
      process.stdout.write(`\nrunning ${label} ... `);
      const m = await f();
      process.stdout.write(`${fmt(m.events / (m.ms / 1000))} events/s`);
      results.push(m);
    };
    // Opens the pool's connections and warms caches so the first scenario is not charged for it.
    await runClients(
      s.poolSize,
      s.poolSize * 5,
      async (c) => (await store.append(`warmup-${c}-${randomUUID()}`, 'lead', 'no_stream', [leadEvent('w')], appendMetadata(c))).positions.length,
    );

    await step('single-event appends', () => singleAppends(store, s));
    await step('100-event batches to one stream', () => batchesToOneStream(store, s));
    await step('100-event batches to 10k streams', () => batchesToManyStreams(store, s));
    await step('100-event appendMany to 10k streams', () => multiStreamBatches(store, s));
    const stored = await countEvents(ds);
    await step('stream_summaries catch-up', () => catchUp(runner, summaries, '4.', batch, `all ${fmt(stored)} stored events`, TARGET_CATCH_UP_EPS));
    await verifyCatchUp(ds, runner, store, summaries.name);
    await step('null projection catch-up', () => catchUp(runner, nothing, '5.', batch, 'handler does nothing (read + checkpoint cost)'));

    const [{ size }] = await ds.query(`SELECT pg_size_pretty(pg_total_relation_size('event_store_events')) AS size`);
    const [sizes] = await ds.query(
      `SELECT avg(octet_length(payload::text))::int AS payload, avg(octet_length(metadata::text))::int AS metadata FROM event_store_events`,
    );
    console.log('\n\n' + resultsTable(results) + '\n');
    for (const m of results) console.log(`${m.name.split(' ')[0].padEnd(4)}${m.detail}`);
    console.log(
      `\n${fmt(stored)} events stored; event_store_events with indexes: ${size}; average JSON size per event: payload ${sizes.payload} B, metadata ${sizes.metadata} B.`,
    );
    console.log('Latency is per append call (per projection batch for catch-up: calls = batches), including waiting for a pooled connection.');
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  const s = readSettings();
  const url = benchDatabaseUrl(s.serverUrl);
  const started = performance.now();
  await ensureDatabase(url);
  // An interrupted run must not leave its database behind; DROP … WITH (FORCE) ends our open connections.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: dropping ${new URL(url).pathname.slice(1)}\n`);
    dropDatabase(url).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await run(s, url);
  } finally {
    await dropDatabase(url);
  }
  console.log(`Total run time ${fmt((performance.now() - started) / 1000, 1)} s; database dropped.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`\nbenchmark failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
