/**
 * ABM lists at scale: `GET /accounts` latency per filter and sort, and `GET /accounts/fuzzy` latency, over HTTP
 * against the built api process (`dist/src/main.js`) with BENCH_ACCOUNTS (default 100,000) accounts and BENCH_LEADS
 * (default 1,000,000) leads in one OU.
 *
 *   npm run bench:accounts            (builds, then runs dist/bench/accounts.js)
 *
 * A throwaway database `kenbun_bench_accounts_<random>` is created on TEST_DATABASE_SERVER (default
 * postgres://postgres@127.0.0.1:5432) and dropped afterwards, also when the run fails or is interrupted. The api
 * migrates it and creates the first organization; ABM is turned on over HTTP; accounts (company-like names, domains,
 * firmographic metadata, account scores and levels) and leads (linked to accounts, scores, owners, activity, 3 %
 * disqualified) are generated with SQL, and the accounts' aggregate figures are computed with the statement the
 * grouping projection runs per batch (AccountFigures), over every account at once; then VACUUM ANALYZE. Requests are
 * sequential (one client). Targets: p95 ≤ 50 ms per list scenario, ≤ 100 ms fuzzy.
 *
 * Settings: BENCH_ACCOUNTS, BENCH_LEADS, BENCH_REQUESTS per scenario (default 200), BENCH_KEEP_DB=1 keeps the database.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { AccountFigures } from '../src/modules/accounts/application/account-figures';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const TARGET_LIST_MS = 50;
const TARGET_FUZZY_MS = 100;
const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${server.replace(/\/+$/, '')}/kenbun_bench_accounts_${randomBytes(4).toString('hex')}`;
let base = '';

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

const WORDS_A = [
  'Acme',
  'Global',
  'Blue',
  'North',
  'Quantum',
  'Silver',
  'Bright',
  'Prime',
  'Vertex',
  'Summit',
  'Nova',
  'Apex',
  'Pioneer',
  'Atlas',
  'Vector',
  'Crimson',
];
const WORDS_B = ['Dynamics', 'Systems', 'Labs', 'Holdings', 'Software', 'Networks', 'Analytics', 'Logistics', 'Partners', 'Robotics', 'Health', 'Energy'];
const SUFFIX = ['Inc', 'LLC', 'GmbH', 'Ltd', 'Corp', 'SA'];
const sqlArray = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(', ')}]`;

async function generate(pg: Client, orgId: string, unitId: string, now: Date): Promise<void> {
  await pg.query(
    `INSERT INTO accounts (id, org_id, unit_id, account_id, group_key, name, domain, metadata, account_score, account_level, created_at, updated_at)
     SELECT 'acc-' || lpad(g::text, 8, '0'), $1, $2, 'acct_' || g, 'id:acct_' || g,
            (${sqlArray(WORDS_A)})[1 + (hashint4(g) & 15)] || ' ' || (${sqlArray(WORDS_B)})[1 + (hashint4(g * 3) & 65535) % 12] || ' ' || g || ' ' || (${sqlArray(SUFFIX)})[1 + g % 6],
            'company' || g || '.example',
            jsonb_build_object('employees', (hashint4(g * 5) & 65535) % 20000, 'country', (ARRAY['US', 'DE', 'FR', 'GB', 'JP'])[1 + g % 5]),
            ((hashint4(g * 11) & 65535) % 146)::float8, CASE WHEN (hashint4(g * 11) & 65535) % 146 >= 60 THEN 'Target' ELSE 'Watch' END,
            $3::timestamptz - (hashint4(g * 13) & 1023) * interval '563 minutes', $3::timestamptz
       FROM generate_series(1, $4) g`,
    [orgId, unitId, now.toISOString(), ACCOUNTS],
  );
  await pg.query(
    `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, status, last_event_at, last_event_type, event_count, created_at, updated_at, score,
                        owner_name, disqualified, account_ref, account_key)
     SELECT $2 || '-' || lpad(g::text, 8, '0'), $1, $2, 'ld_' || md5($2 || g::text), '{}'::jsonb, 'active',
            CASE WHEN g % 10 = 0 THEN NULL ELSE $3::timestamptz - (hashint4(g * 7) & 1023) * interval '169 minutes' END, 'Page View', 1 + g % 20,
            $3::timestamptz - (hashint4(g) & 1023) * interval '563 minutes', $3::timestamptz,
            round((power((hashint4(g * 17) & 65535) / 65536.0, 3) * 200)::numeric, 2)::float8,
            CASE WHEN g % 4 = 0 THEN NULL ELSE (ARRAY['Ana Lopez', 'Ben Okafor', 'Chen Wei', 'Dana Smith', 'Eva Novak'])[1 + g % 5] END,
            g % 33 = 0, 'acc-' || lpad((1 + (hashint4(g * 19) & 2147483647) % $4)::text, 8, '0'), 'id:x'
       FROM generate_series(1, $5) g`,
    [orgId, unitId, now.toISOString(), ACCOUNTS, LEADS],
  );
}

async function timeRoute(path: string, headers: Record<string, string>): Promise<{ p50: number; p95: number; p99: number; total: number; items: number }> {
  let last: { total?: number; accounts?: unknown[]; matches?: unknown[] } = {};
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
    total: last.total ?? last.matches?.length ?? 0,
    items: (last.accounts ?? last.matches ?? []).length,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  await ensureDatabase(dbUrl);
  const port = await freePort();
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
    const call = async (method: string, path: string, body: object, headers: Record<string, string> = {}) => {
      const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${await r.text()}`);
      return r.status === 204 ? {} : ((await r.json()) as Record<string, string>);
    };
    const jwt = {
      authorization: `Bearer ${(await call('POST', '/auth/login', { email: 'bench@example.com', password: 'bench-admin-password' })).access_token}`,
    };
    await call('POST', '/org-units/active', { ouId: 'unit_default' }, jwt);
    await call('PUT', '/scoring/settings', { abm_enabled: true }, jwt);
    const sa = await call('POST', '/secrets', { name: 'bench' }, jwt);
    const auth = { authorization: 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64') };
    await call('POST', '/org-units/active', { ouId: 'unit_default' }, auth);

    await pg.connect();
    const [{ org_id }] = (await pg.query(`SELECT org_id FROM org_units WHERE id = 'unit_default'`)).rows;
    let t0 = performance.now();
    await generate(pg, org_id, 'unit_default', new Date());
    const genSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    // the grouping projection's figures statement, over every account (it runs per batch for the touched accounts)
    const refs = (await pg.query(`SELECT id FROM accounts WHERE unit_id = 'unit_default'`)).rows.map((r: { id: string }) => r.id);
    const figures = new AccountFigures();
    for (let i = 0; i < refs.length; i += 10_000)
      await figures.refresh({ query: (q: string, p: unknown[]) => pg.query(q, p) } as never, refs.slice(i, i + 10_000));
    const figuresSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await pg.query(`VACUUM ANALYZE accounts`);
    await pg.query(`VACUUM ANALYZE leads`);
    const vacuumSeconds = (performance.now() - t0) / 1000;

    const [{ version }] = (await pg.query('SELECT version()')).rows;
    const settings = (
      await pg.query(`SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')`)
    ).rows
      .map((r: { name: string; setting: string; unit: string | null }) => `${r.name}=${r.setting}${r.unit ?? ''}`)
      .join(', ');
    const [{ size }] = (await pg.query(`SELECT pg_size_pretty(pg_total_relation_size('accounts')) AS size`)).rows;
    const cpus = os.cpus();
    console.log('kenbun accounts (ABM) benchmark\n');
    console.log(
      `CPU          ${cpus[0]?.model ?? 'unknown'} x ${cpus.length} (load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
    console.log(`memory       ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(`Node.js      ${process.version}`);
    console.log(`PostgreSQL   ${version}`);
    console.log(`PG settings  ${settings}`);
    console.log(`data         ${fmt(ACCOUNTS)} accounts and ${fmt(LEADS)} leads in one OU; accounts with indexes ${size}`);
    console.log(
      `             generated in ${fmt(genSeconds, 1)} s, figures of every account ${fmt(figuresSeconds, 1)} s, VACUUM ANALYZE ${fmt(vacuumSeconds, 1)} s`,
    );
    console.log(`requests     ${REQUESTS} sequential per scenario after 20 warm-up, one api process, service-account Basic auth\n`);

    const scenarios: [string, string, number][] = [
      ['no filter (score desc, page 1)', '/accounts', TARGET_LIST_MS],
      ['page 50, limit 100', '/accounts?page=50&limit=100', TARGET_LIST_MS],
      ['sort_by=name asc', '/accounts?sort_by=name&sort_order=asc', TARGET_LIST_MS],
      ['sort_by=engagement', '/accounts?sort_by=engagement', TARGET_LIST_MS],
      ['sort_by=last_activity', '/accounts?sort_by=last_activity', TARGET_LIST_MS],
      ['sort_by=owner_name asc', '/accounts?sort_by=owner_name&sort_order=asc', TARGET_LIST_MS],
      ['include_disqualified=true', '/accounts?include_disqualified=true', TARGET_LIST_MS],
      ['search=quantum', '/accounts?search=quantum', TARGET_LIST_MS],
      ['search=company4242', '/accounts?search=company4242', TARGET_LIST_MS],
      ['intent_level=high', '/accounts?intent_level=high', TARGET_LIST_MS],
      ['intent_level=medium, sort_by=name', '/accounts?intent_level=medium&sort_by=name', TARGET_LIST_MS],
      ['account_level=Target', '/accounts?account_level=Target', TARGET_LIST_MS],
      ['min_score=100', '/accounts?min_score=100', TARGET_LIST_MS],
      ['owner_name=chen', '/accounts?owner_name=chen', TARGET_LIST_MS],
      ['has_leads=true', '/accounts?has_leads=true', TARGET_LIST_MS],
      ['range=last_30d', '/accounts?range=last_30d', TARGET_LIST_MS],
      ['fuzzy name=Quantum Dynamics 4242', '/accounts/fuzzy?name=Quantum%20Dynamics%204242', TARGET_FUZZY_MS],
      ['fuzzy name=acme systms', '/accounts/fuzzy?name=acme%20systms', TARGET_FUZZY_MS],
    ];
    const rows: string[][] = [];
    for (const [name, path, target] of scenarios) {
      process.stdout.write(`running ${name} ... `);
      const r = await timeRoute(path, auth);
      process.stdout.write(`p95 ${fmt(r.p95, 1)} ms\n`);
      rows.push([name, fmt(r.total), fmt(r.p50, 1), fmt(r.p95, 1), fmt(r.p99, 1), `${r.p95 <= target ? 'MET' : 'MISSED'} (${target})`]);
    }
    const headers = ['scenario', 'total', 'p50 ms', 'p95 ms', 'p99 ms', 'p95 target ms'];
    const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
    console.log('\n' + [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
    console.log('\nLatency is client-side per request (HTTP, auth, ABM check, rate limit, queries, JSON). total = matching accounts (fuzzy: matches).');
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
