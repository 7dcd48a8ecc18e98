/**
 * HubSpot historical import at scale (HS-2, PERF-5): BENCH_CONTACTS (default 100,000) contacts, BENCH_COMPANIES
 * (default 5,000) companies and BENCH_DEALS (default 20,000) deals, served 100 per page by a fake HubSpot running in
 * this process (bench/support/fake-hubspot.ts, CRM v3 paging with `after`, the OAuth token endpoint), imported by
 * the built api and worker processes.
 *
 *   npm run bench:hubspot          (builds, then runs dist/bench/hubspot.js)
 *   BENCH_CONTACTS=10000 BENCH_DEALS=2000 BENCH_COMPANIES=500 npm run bench:hubspot      (a quick run)
 *
 * The api migrates a throwaway database and creates the first organization; a service account saves BYO HubSpot
 * credentials, starts the OAuth handshake and the bench follows the callback (code exchanged with the fake), then
 * `POST /settings/ou/hubspot/backfill` (contacts with companies, deals and the deal pipelines). The bench polls the
 * run's counts every second and prints records/s per phase and overall (target ≥ 2,000 records/s), the worker's RSS
 * and V8 heap over time (from its /metrics) and its peak RSS (target: flat, not growing with the number of records).
 *
 * Settings: BENCH_CONTACTS, BENCH_COMPANIES, BENCH_DEALS, BENCH_KEEP_DB=1 keeps the database.
 */
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { fmt, freePort, int, sleep } from './support/common';
import { environmentPairs, loadAverage, printPairs } from './support/environment';
import { fakeHubSpot, FakeObject, HUBSPOT_CODE } from './support/fake-hubspot';
import { json, request } from './support/http';
import { BenchRun, memOf, runBench } from './support/processes';
import { adminBearer, seedCredential } from './support/workload';

const CONTACTS = int('BENCH_CONTACTS', 100_000);
const COMPANIES = int('BENCH_COMPANIES', 5_000);
const DEALS = int('BENCH_DEALS', 20_000);
const TARGET_RECORDS_PER_S = 2_000;
const TITLES = ['VP Marketing', 'Head of Growth', 'Marketing Manager', 'CTO', 'Software Engineer', 'Sales Director', 'CEO', 'Analyst'];
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'];
const UPDATED = '2026-11-01T00:00:00.000Z';

/** Generated on demand: nothing is held per record, so the fake itself stays small. */
const data = {
  count: (type: string) => ({ contacts: CONTACTS, companies: COMPANIES, deals: DEALS })[type as 'contacts'] ?? 0,
  object(type: string, i: number): FakeObject {
    if (type === 'contacts') {
      return {
        id: String(1_000_000 + i),
        properties: {
          email: `contact${i}@company${i % Math.max(1, COMPANIES)}.example`,
          firstname: `First${i}`,
          lastname: `Last${i}`,
          jobtitle: TITLES[i % TITLES.length],
        },
        updatedAt: UPDATED,
      };
    }
    if (type === 'companies') {
      return { id: String(2_000_000 + i), properties: { name: `Company ${i}`, domain: `company${i}.example`, industry: 'Software' }, updatedAt: UPDATED };
    }
    return {
      id: String(3_000_000 + i),
      properties: {
        dealname: `Deal ${i}`,
        dealstage: STAGES[i % STAGES.length],
        pipeline: 'default',
        amount: String(1000 + (i % 50) * 250),
        hs_is_closed: String(i % STAGES.length >= 5),
        closedate: '2026-10-15T00:00:00.000Z',
      },
      associations: { companies: [String(2_000_000 + (i % Math.max(1, COMPANIES)))] },
      updatedAt: UPDATED,
    };
  },
};
const PIPELINES = [
  {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    stages: STAGES.map((id, i) => ({ id, label: id, displayOrder: i, metadata: { isClosed: String(i >= 5) } })),
  },
];

const bench = new BenchRun('hubspot');

async function heapOf(port: number): Promise<number | null> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const m = /^nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

async function run(): Promise<void> {
  const hs = await fakeHubSpot({ data, pipelines: PIPELINES, pageSize: 100 });
  hs.quiet();
  const env = {
    HUBSPOT_API_BASE_URL: hs.base,
    HUBSPOT_AUTHORIZE_URL: `${hs.base}/oauth/authorize`,
    OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    KENBUN_PUBLIC_URL: 'https://kenbun.example',
  };
  bench.phase = 'startup';
  const apiPort = await freePort();
  await bench.startApi(1, apiPort, env);
  const metricsPort = await freePort();
  const worker = await bench.startWorker(1, { ...env, WORKER_METRICS_PORT: String(metricsPort) });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const admin = await adminBearer(agent);
  const auth = await seedCredential(agent, admin, 'bench-hubspot');
  await json(agent, 'POST', '/settings/ou/hubspot/credentials', auth, { client_id: hs.clientId, client_secret: hs.clientSecret });
  const { authorize_url } = await json(agent, 'POST', '/settings/ou/hubspot/oauth/initiate', auth);
  const state = new URL(authorize_url).searchParams.get('state')!;
  const cb = await request(agent, 'GET', `/hubspot/oauth/callback?code=${HUBSPOT_CODE}&state=${encodeURIComponent(state)}`, '');
  if (cb.status !== 302) throw new Error(`the OAuth callback answered ${cb.status}: ${cb.body}`);

  const pg = new Client({ connectionString: bench.dbUrl });
  await pg.connect();
  bench.ownBackend((await pg.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number);
  console.log('\nkenbun HubSpot import benchmark\n');
  printPairs([
    ...(await environmentPairs(pg, bench.redisUrl)),
    ['processes', '1 api (dist/src/main.js), 1 worker (dist/src/worker.js, LOG_LEVEL=info); fake HubSpot in the bench process, 100 objects per page'],
    ['records', `${fmt(CONTACTS)} contacts, ${fmt(COMPANIES)} companies, ${fmt(DEALS)} deals (1 pipeline)`],
  ]);

  bench.enter('backfill');
  const started = performance.now();
  const queued = await json(agent, 'POST', '/settings/ou/hubspot/backfill', auth, {}, [202]);
  console.log(`\nPOST /settings/ou/hubspot/backfill → ${JSON.stringify(queued)}\n`);
  console.log(
    `${'elapsed s'.padStart(9)}  ${'phase'.padEnd(10)}  ${'records'.padStart(9)}  ${'rec/s'.padStart(7)}  ${'worker RSS MiB'.padStart(14)}  ${'heap MiB'.padStart(8)}`,
  );
  const phaseStart = new Map<string, { t: number; n: number }>();
  let row: { status: string; phase: string | null; counts: Record<string, number>; failure_reason: string | null } | undefined;
  let lastPrint = 0;
  let polls = 0;
  const heaps: number[] = [];
  let lastHeap: number | null = null;
  const rsss: number[] = [];
  for (;;) {
    await sleep(1000);
    row = (await pg.query(`SELECT status, phase, counts, failure_reason FROM hubspot_sync_runs ORDER BY created_at DESC LIMIT 1`)).rows[0];
    if (!row) continue;
    const c = row.counts ?? {};
    const done = (c.contacts ?? 0) + (c.contacts_skipped ?? 0) + (c.companies ?? 0) + (c.deals ?? 0);
    const elapsed = (performance.now() - started) / 1000;
    const phase = row.phase ?? '-';
    if (!phaseStart.has(phase)) phaseStart.set(phase, { t: elapsed, n: done });
    // the worker's /metrics also reads projection lag from PostgreSQL: scraped every 5 s only, so as not to load what is measured
    const heap = ++polls % 5 === 0 || row.status !== 'running' ? await heapOf(metricsPort) : null;
    const rss = (memOf(worker.child.pid!)?.rss ?? 0) / 1024;
    if (heap !== null) heaps.push((lastHeap = heap) / 2 ** 20);
    rsss.push(rss);
    if (elapsed - lastPrint >= 5 || row.status !== 'running') {
      lastPrint = elapsed;
      console.log(
        `${fmt(elapsed, 0).padStart(9)}  ${phase.padEnd(10)}  ${fmt(done).padStart(9)}  ${fmt(done / elapsed).padStart(7)}  ${fmt(rss).padStart(14)}  ${lastHeap === null ? '-'.padStart(8) : fmt(lastHeap / 2 ** 20).padStart(8)}`,
      );
    }
    if (row.status === 'completed' || row.status === 'failed') break;
  }
  const seconds = (performance.now() - started) / 1000;
  bench.enter('done');
  if (row.status !== 'completed') throw new Error(`the import failed: ${row.failure_reason}`);
  const counts = (
    await pg.query(
      `SELECT (SELECT count(*)::int FROM leads) AS leads, (SELECT count(*)::int FROM accounts) AS accounts, (SELECT count(*)::int FROM deals WHERE source = 'hubspot') AS deals,
              (SELECT count(*)::int FROM deals WHERE source = 'hubspot' AND account_id IS NOT NULL) AS deals_with_account`,
    )
  ).rows[0];
  const records = CONTACTS + COMPANIES + DEALS;
  const rate = records / seconds;
  const peak = (worker.hwm || Math.max(...rsss) * 1024) / 1024;
  const third = Math.max(1, Math.floor(rsss.length / 3));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(`\nrun counts: ${JSON.stringify(row.counts)}`);
  console.log(
    `in the database: ${fmt(counts.leads)} leads, ${fmt(counts.accounts)} accounts, ${fmt(counts.deals)} deals (${fmt(counts.deals_with_account)} linked to an account)`,
  );
  console.log(
    `\n${fmt(records)} records in ${fmt(seconds, 1)} s: ${fmt(rate)} records/s (target ≥ ${fmt(TARGET_RECORDS_PER_S)}) ${rate >= TARGET_RECORDS_PER_S ? 'OK' : 'BELOW TARGET'}`,
  );
  console.log(
    `worker memory: peak RSS ${fmt(peak)} MiB; RSS median first third ${fmt(median(rsss.slice(0, third)))} MiB, last third ${fmt(median(rsss.slice(-third)))} MiB; ` +
      `heap used max ${heaps.length ? fmt(Math.max(...heaps)) : '-'} MiB (median first third ${heaps.length ? fmt(median(heaps.slice(0, Math.max(1, Math.floor(heaps.length / 3))))) : '-'}, last third ${heaps.length ? fmt(median(heaps.slice(-Math.max(1, Math.floor(heaps.length / 3))))) : '-'})`,
  );
  // CPU per record: comparable between runs on a shared machine, where wall time is not
  const m = bench.machine.get('backfill');
  const workerCpu = worker.cpu.get('backfill') ?? 0;
  console.log(
    `CPU in the import: worker ${fmt(workerCpu, 1)} s (${fmt((workerCpu / records) * 1e6)} µs/record)` +
      (m
        ? `, PostgreSQL ${fmt(m.postgres + m.postgresBackground, 1)} s (${fmt(((m.postgres + m.postgresBackground) / records) * 1e6)} µs/record), machine busy ${fmt(m.busy, 1)} s of ${fmt(seconds * os.cpus().length, 1)} s`
        : '') +
      `; load average now ${loadAverage()}`,
  );
  await pg.end();
  agent.destroy();
  await hs.close();
}

runBench(bench, run);
