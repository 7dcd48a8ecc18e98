/**
 * Lead lists at scale: `GET /leads` latency and `GET /leads/export` throughput over HTTP against the built api
 * process (`dist/src/main.js`) with BENCH_LEADS (default 1,000,000) leads in one OU.
 *
 *   npm run bench:leads            (builds, then runs dist/bench/leads.js)
 *
 * A throwaway database `kenbun_bench_leads_<random>` is created on TEST_DATABASE_SERVER (default
 * postgres://postgres@127.0.0.1:5432) and dropped afterwards, also when the run fails or is interrupted. The api
 * migrates it and creates the first organization; two engagement rulesets are created over HTTP; then the leads
 * (one email alias each, scores in both rulesets for most of them, varied creation and activity times) are
 * generated directly with SQL (generate_series), plus BENCH_OTHER_LEADS leads in each of two other OUs, and the
 * tables are VACUUM ANALYZEd as autovacuum would eventually do. Requests are sequential (one client).
 *
 * Settings: BENCH_LEADS, BENCH_OTHER_LEADS (default 100,000), BENCH_REQUESTS per scenario (default 200),
 * BENCH_KEEP_DB=1 keeps the database (to EXPLAIN the queries).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';

const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const OTHER_LEADS = Number(process.env.BENCH_OTHER_LEADS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const TARGET_P95_MS = 50;
const TARGET_EXPORT_RPS = 50_000;
const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${server.replace(/\/+$/, '')}/kenbun_bench_leads_${randomBytes(4).toString('hex')}`;
let port = 0;
let base = '';

/** A port nothing listens on now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(p));
    });
  });
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Score of generated lead g in a ruleset: skewed low, 0–200, two decimals (the same formula feeds `leads.score`). */
const SCORE_SQL = (salt: number) => `round((power((hashint4(g * ${salt}) & 65535) / 65536.0, 3) * 200)::numeric, 2)::float8`;

/** Leads of one OU: created over the last 400 days, active over the last 120 (10% never), scores skewed low. */
async function generate(pg: Client, orgId: string, unitId: string, n: number, primary: string | null, secondary: string | null, now: Date): Promise<void> {
  const p = [orgId, unitId, n, now.toISOString()];
  // 70% of the leads score in the primary ruleset, 30% in the secondary; leads.score is the primary's (0 elsewhere).
  await pg.query(
    `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, status, last_event_at, last_event_type, event_count, created_at, updated_at, score)
     SELECT $2 || '-' || lpad(g::text, 8, '0'), $1, $2, 'ld_' || md5($2 || g::text), '{}'::jsonb, 'active',
            CASE WHEN g % 10 = 0 THEN NULL ELSE $4::timestamptz - (hashint4(g * 7) & 1023) * interval '169 minutes' END,
            CASE WHEN g % 10 = 0 THEN NULL ELSE (ARRAY['Page View', 'Email Open', 'Form Submit', 'Webinar'])[1 + (g % 4)] END,
            CASE WHEN g % 10 = 0 THEN 0 ELSE 1 + g % 40 END,
            $4::timestamptz - (hashint4(g) & 65535) * interval '527 seconds', $4::timestamptz,
            CASE WHEN $5::boolean AND g % 10 < 7 THEN ${SCORE_SQL(31)} ELSE 0 END
       FROM generate_series(1, $3) g`,
    [...p, primary !== null],
  );
  await pg.query(
    `INSERT INTO lead_aliases (unit_id, kind, value, lead_ref, org_id, created_at)
     SELECT $2, 'email', 'person' || g || '@company' || (g % 5000) || '.example', $2 || '-' || lpad(g::text, 8, '0'), $1, $4::timestamptz - interval '400 days'
       FROM generate_series(1, $3) g`,
    p,
  );
  for (const [rs, share, salt] of [
    [primary, 7, 31],
    [secondary, 3, 37],
  ] as const) {
    if (!rs) continue;
    await pg.query(
      `INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at)
       SELECT $2 || '-' || lpad(g::text, 8, '0'), $5, $1, $2, ${SCORE_SQL(salt)}, false, 1 + g % 40, $4::timestamptz
         FROM generate_series(1, $3) g WHERE g % 10 < $6`,
      [...p, rs, share],
    );
  }
}

/** Bulk load without secondary indexes, then rebuild them exactly as the migrations defined them. */
async function bulkLoad(pg: Client, load: () => Promise<void>): Promise<void> {
  const indexes: { indexname: string; indexdef: string }[] = (
    await pg.query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename IN ('leads', 'lead_aliases', 'lead_scores')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    )
  ).rows;
  for (const i of indexes) await pg.query(`DROP INDEX ${i.indexname}`);
  await pg.query(`SET maintenance_work_mem = '512MB'`);
  await pg.query(`SET session_replication_role = replica`); // no FK trigger per alias row: the generator keeps them right
  await load();
  await pg.query(`SET session_replication_role = DEFAULT`);
  for (const i of indexes) await pg.query(i.indexdef);
}

async function timeRoute(
  path: string,
  headers: Record<string, string>,
): Promise<{ p50: number; p95: number; p99: number; total: number; exact: boolean; items: number }> {
  let last: { total?: number; total_exact?: boolean; leads?: unknown[] } | unknown[] = {};
  for (let i = 0; i < 20; i++) await (await fetch(base + path, { headers })).arrayBuffer();
  const t: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const s = performance.now();
    const r = await fetch(base + path, { headers });
    const body = await r.text();
    t.push(performance.now() - s);
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${body.slice(0, 300)}`);
    if (i === 0) last = JSON.parse(body);
  }
  t.sort((a, b) => a - b);
  return {
    p50: pct(t, 50),
    p95: pct(t, 95),
    p99: pct(t, 99),
    total: Array.isArray(last) ? last.length : (last.total ?? 0),
    exact: Array.isArray(last) || last.total_exact !== false,
    items: Array.isArray(last) ? last.length : (last.leads?.length ?? 0),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  await ensureDatabase(dbUrl);
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      KENBUN_ADMIN_EMAIL: 'bench@example.com',
      KENBUN_ADMIN_PASSWORD: 'bench-admin-password',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_BURST: '1000000',
      QUEUE_PREFIX: `bench_${randomBytes(3).toString('hex')}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    if (process.env.BENCH_KEEP_DB) console.log(`database kept: ${dbUrl}`);
    else await dropDatabase(dbUrl);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the api and dropping the database\n`);
    stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pg = new Client({ connectionString: dbUrl });
  try {
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      if ((await fetch(`${base}/health/ready`).catch(() => undefined))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
      const r = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${await r.text()}`);
      return (await r.json()) as Record<string, string>;
    };
    const jwt = (await post('/auth/login', { email: 'bench@example.com', password: 'bench-admin-password' })).access_token;
    const sa = await post('/secrets', { name: 'bench' }, { authorization: `Bearer ${jwt}` });
    const auth = { authorization: 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64') };
    await post('/org-units/active', { ouId: 'unit_default' }, auth);
    const primary = (await post('/rulesets', { name: 'Main' }, auth)).ruleset_id;
    const secondary = (await post('/rulesets', { name: 'Webinars' }, auth)).ruleset_id;

    await pg.connect();
    const [{ org_id }] = (await pg.query(`SELECT org_id FROM rulesets WHERE id = $1`, [primary])).rows;
    const now = new Date();
    let t0 = performance.now();
    await bulkLoad(pg, async () => {
      await generate(pg, org_id, 'unit_default', LEADS, primary, secondary, now);
      for (const unit of ['unit_bench_other_1', 'unit_bench_other_2']) await generate(pg, org_id, unit, OTHER_LEADS, null, null, now);
    });
    const genSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await pg.query(`VACUUM ANALYZE leads`);
    await pg.query(`VACUUM ANALYZE lead_scores`);
    await pg.query(`VACUUM ANALYZE lead_aliases`);
    const vacuumSeconds = (performance.now() - t0) / 1000;

    const [{ version }] = (await pg.query('SELECT version()')).rows;
    const settings = (
      await pg.query(`SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')`)
    ).rows
      .map((r: { name: string; setting: string; unit: string | null }) => `${r.name}=${r.setting}${r.unit ?? ''}`)
      .join(', ');
    const [{ size }] = (await pg.query(`SELECT pg_size_pretty(pg_total_relation_size('leads')) AS size`)).rows;
    const cpus = os.cpus();
    console.log('kenbun lead list benchmark\n');
    console.log(`CPU          ${cpus[0]?.model ?? 'unknown'} x ${cpus.length}`);
    console.log(`memory       ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(`Node.js      ${process.version}`);
    console.log(`PostgreSQL   ${version}`);
    console.log(`PG settings  ${settings}`);
    console.log(`data         ${fmt(LEADS)} leads in the measured OU (+ ${fmt(OTHER_LEADS)} in each of 2 other OUs); leads with indexes ${size}`);
    console.log(`             generated in ${fmt(genSeconds, 1)} s, VACUUM ANALYZE ${fmt(vacuumSeconds, 1)} s`);
    console.log(`requests     ${REQUESTS} sequential per scenario after 20 warm-up, one api process, service-account Basic auth\n`);

    const scenarios: [string, string][] = [
      ['no filter (score desc, page 1)', '/leads'],
      ['no filter, page 20, limit 100', '/leads?page=20&limit=100'],
      ['sort_by=created_at', '/leads?sort_by=created_at&sort_order=desc'],
      ['min_score=50', '/leads?min_score=50'],
      ['min_score=50, sort_by=created_at', '/leads?min_score=50&sort_by=created_at'],
      ['last_active=7d', '/leads?last_active=7d'],
      ['last_active=30d, sort_by=last_event_at', '/leads?last_active=30d&sort_by=last_event_at'],
      ['range=last_30d, max_score=10', '/leads?range=last_30d&max_score=10'],
    ];
    const rows: string[][] = [];
    for (const [name, path] of scenarios) {
      process.stdout.write(`running ${name} ... `);
      const r = await timeRoute(path, auth);
      process.stdout.write(`p95 ${fmt(r.p95, 1)} ms\n`);
      rows.push([name, `${r.exact ? '' : '~'}${fmt(r.total)}`, fmt(r.p50, 1), fmt(r.p95, 1), fmt(r.p99, 1), r.p95 <= TARGET_P95_MS ? 'MET' : 'MISSED']);
    }
    const search = await timeRoute('/leads/search?q=person12345', auth).catch(() => null);

    process.stdout.write('running export of every lead ... ');
    t0 = performance.now();
    const res = await fetch(`${base}/leads/export`, { headers: auth });
    if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
    let lines = 0;
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const exportSeconds = (performance.now() - t0) / 1000;
    const exported = lines - 1;
    const rps = exported / exportSeconds;
    process.stdout.write(`${fmt(rps)} rows/s\n\n`);

    const headers = ['GET /leads scenario', 'total', 'p50 ms', 'p95 ms', 'p99 ms', `p95 <= ${TARGET_P95_MS} ms`];
    const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
    console.log([line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
    if (search) console.log(`\nGET /leads/search?q=person12345 (alias prefix): p50 ${fmt(search.p50, 1)} ms, p95 ${fmt(search.p95, 1)} ms`);
    console.log(
      `\nGET /leads/export: ${fmt(exported)} rows, ${fmt(bytes / 2 ** 20, 1)} MiB in ${fmt(exportSeconds, 1)} s = ${fmt(rps)} rows/s (target >= ${fmt(TARGET_EXPORT_RPS)}: ${rps >= TARGET_EXPORT_RPS ? 'MET' : 'MISSED'})`,
    );
    if (exported !== LEADS) console.log(`WARNING: exported ${exported} rows, expected ${LEADS}`);
    console.log(
      'Latency is client-side per request (HTTP, auth, rate limit, queries, JSON). ~ = `total` is the planner estimate (total_exact false: more than 10,000 matches).',
    );
  } finally {
    await pg.end().catch(() => undefined);
    await stop();
  }
  console.log(`Total run time ${fmt((performance.now() - started) / 1000, 1)} s; database dropped.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
