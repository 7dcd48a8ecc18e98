/**
 * Cost of authentication on the request path: a built server (`npm run build`) is started on a throwaway
 * database, then the same authenticated route is called sequentially with each credential type and compared
 * with a public route. Also times the in-process part of a check (HMAC of the presented secret).
 *
 *   npm run bench:credentials          (BENCH_REQUESTS=3000 by default)
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${server.replace(/\/+$/, '')}/kenbun_bench_cred_${randomBytes(4).toString('hex')}`;
const port = 30000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;

async function json(res: Response): Promise<Record<string, string>> {
  return (await res.json()) as Record<string, string>;
}

async function timeRoute(path: string, headers: Record<string, string>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await (await fetch(base + path, { headers })).arrayBuffer();
  const t: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const s = process.hrtime.bigint();
    const r = await fetch(base + path, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
    t.push(Number(process.hrtime.bigint() - s) / 1e3);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(REQUESTS / 2)], p99: t[Math.floor(REQUESTS * 0.99)] };
}

function hmacCost(): number {
  const key = randomBytes(32);
  const secret = 'kbn_pat_' + randomBytes(16).toString('hex');
  const n = 200_000;
  const s = process.hrtime.bigint();
  for (let i = 0; i < n; i++) createHmac('sha256', key).update(secret).digest('hex');
  return Number(process.hrtime.bigint() - s) / 1e3 / n;
}

async function main(): Promise<void> {
  await ensureDatabase(dbUrl);
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
  try {
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      if ((await fetch(`${base}/health/ready`).catch(() => undefined))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const post = (path: string, body: object, headers: Record<string, string> = {}) =>
      fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const jwt = (await json(await post('/auth/login', { email: 'bench@example.com', password: 'bench-admin-password' }))).access_token;
    const sa = await json(await post('/secrets', { name: 'bench' }, { authorization: `Bearer ${jwt}` }));
    const pat = (await json(await post('/settings/tokens', { name: 'bench' }, { authorization: `Bearer ${jwt}` }))).token;
    const basic = 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64');

    const pg = new Client({ connectionString: dbUrl });
    await pg.connect();
    const [{ version }] = (await pg.query('SELECT version()')).rows;
    await pg.end();
    const cpus = os.cpus();
    console.log('kenbun credential-check benchmark\n');
    console.log(`CPU         ${cpus[0]?.model ?? 'unknown'} x ${cpus.length}`);
    console.log(`memory      ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
    console.log(`Node.js     ${process.version}`);
    console.log(`PostgreSQL  ${version}`);
    console.log(`requests    ${REQUESTS} sequential per row (after 200 warm-up), one api process\n`);

    const rows: Array<[string, { p50: number; p99: number }]> = [];
    rows.push(['public route, no credential (GET /health/live)', await timeRoute('/health/live', {})]);
    rows.push(['personal access token (GET /me/rate-limit)', await timeRoute('/me/rate-limit', { authorization: `Bearer ${pat}` })]);
    rows.push(['service account, Basic (GET /me/rate-limit)', await timeRoute('/me/rate-limit', { authorization: basic })]);
    rows.push(['user JWT (GET /me/rate-limit)', await timeRoute('/me/rate-limit', { authorization: `Bearer ${jwt}` })]);
    const baseline = rows[0][1].p50;
    console.log('request'.padEnd(50) + 'p50 µs'.padStart(9) + 'p99 µs'.padStart(9) + '  added to p50 (auth + rate limit)');
    for (const [name, r] of rows) {
      const added = name.startsWith('public') ? '' : `  ${Math.round(r.p50 - baseline)} µs`;
      console.log(name.padEnd(50) + String(Math.round(r.p50)).padStart(9) + String(Math.round(r.p99)).padStart(9) + added);
    }
    console.log(`\nin-process part of a cached check: HMAC-SHA-256 of the presented secret ${hmacCost().toFixed(2)} µs + a Map lookup`);
    console.log('the rest of the added time is passport, the guard and one Redis round trip for the rate limit');
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    await dropDatabase(dbUrl);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
