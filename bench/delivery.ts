/**
 * Notification delivery benchmark: a built worker process (`dist/src/worker.js`) drains the notification outbox to a
 * local HTTP receiver (200 to everything) on a throwaway database.
 *
 *   npm run bench:delivery          (builds, then runs dist/bench/delivery.js; under a minute)
 *
 * (a) throughput: BENCH_DELIVERIES outbox rows are written (one transaction, as a batch of firings would) and their
 *     jobs queued as the outbox queues them (BENCH_JOB_SIZE rows per job); measured from the first job queued until the last row is `delivered` (deliveries/s).
 * (b) latency: BENCH_RATE rows/s for BENCH_SECONDS, each written in its own transaction and its job queued after the
 *     commit; per row, the time from the commit to the receiver getting the POST (p50/p99). This is outbox →
 *     delivered; the firing itself (ingest → projection) comes before it and is not part of this figure.
 * Afterwards every row must be delivered and the receiver must have seen each delivery id exactly once.
 *
 * (a) also prints the CPU each delivery cost the worker, PostgreSQL (every postgres process on the machine: other
 *     work on it counts too), Redis and this process (the receiver), and the idle worker's own background CPU.
 *
 * Settings: TEST_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), REDIS_URL, BENCH_DELIVERIES (5000),
 * BENCH_RATE (200), BENCH_SECONDS (10), BENCH_JOB_SIZE (rows per job in (a); default the outbox's own,
 * DELIVERY_JOB_MAX_ROWS; 1 = one job per row as before batches), BENCH_CPU_PROF=<dir> (the worker runs with --cpu-prof).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Bull from 'bull';
import Redis from 'ioredis';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from '../src/platform/database/ensure-database';
import { DELIVER_NOTIFICATION, DELIVERY_JOB_MAX_ROWS, DeliverNotificationData } from '../src/modules/notifications/outbox/delivery.types';
import { QueueName } from '../src/platform/queues';

const deliveryJobData = (ids: string[]): DeliverNotificationData => (ids.length === 1 ? { delivery_id: ids[0] } : { delivery_ids: ids });

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const JOB_SIZE = Number(process.env.BENCH_JOB_SIZE ?? DELIVERY_JOB_MAX_ROWS);
const server = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbUrl = `${server.replace(/\/+$/, '')}/kenbun_bench_delivery_${randomBytes(4).toString('hex')}`;
const prefix = `bench_${randomBytes(3).toString('hex')}`;

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
/** CPU seconds used so far by every process of that command name (all PostgreSQL backends, Redis). */
function cpuOfCommand(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) total += cpuSeconds(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
const cpuNow = (workerPid: number) => ({
  worker: cpuSeconds(workerPid),
  postgres: cpuOfCommand('postgres'),
  redis: cpuOfCommand('redis-server'),
  bench: process.cpuUsage(),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  await ensureDatabase(dbUrl);
  const seen = new Map<string, number>();
  const arrivals = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    const id = String(req.headers['x-kenbun-delivery-id']);
    req.resume();
    req.on('end', () => {
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (!arrivals.has(id)) arrivals.set(id, performance.now());
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const worker = spawn(process.execPath, [...prof, join(__dirname, '..', 'src', 'worker.js')], {
    env: { ...process.env, DATABASE_URL: dbUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', OUTBOUND_ALLOW_HOSTS: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pg = new Client({ connectionString: dbUrl });
  const queue = new Bull(QueueName.NotificationDelivery, redisUrl, { prefix });
  try {
    await pg.connect();
    for (let i = 0; ; i++) {
      if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}`);
      const [{ ready }] = (await pg.query(`SELECT to_regclass('notification_deliveries') IS NOT NULL AS ready`)).rows;
      if (ready) break;
      if (i > 600) throw new Error('the worker did not migrate the database within 60 s');
      await sleep(100);
    }
    await sleep(1000); // the worker's queue consumers attach after migrating
    const insert = async (ids: string[]) => {
      await pg.query(
        `INSERT INTO notification_deliveries (id, org_id, unit_id, dedupe_key, trigger_type, trigger_id, source_id, lead_id, kind, target, payload, failure_stage,
                                              next_attempt_at, created_at, last_attempt_at)
         SELECT id, 'org_bench', 'unit_bench', 'bench:' || id, 'surge', 'srg_bench', id::text, 'ld_bench', 'webhook', $2::jsonb, $3::jsonb, 'dispatch', now(), now(), now()
           FROM unnest($1::uuid[]) AS id`,
        [ids, JSON.stringify({ url }), JSON.stringify({ title: 'Bench', why: 'Why: bench', body: { type: 'surge', lead: { id: 'ld_bench' } } })],
      );
    };
    const delivered = async (ids: string[]) =>
      Number((await pg.query(`SELECT count(*)::int AS n FROM notification_deliveries WHERE id = ANY($1) AND status = 'delivered'`, [ids])).rows[0].n);
    /**
     * Until every row of `ids` is recorded `delivered`: the receiver's own tally first (in this process, free), the
     * database only then. Counting 20,000 ids in the table every 20 ms (a sequential scan, about 5 ms each) was
     * PostgreSQL CPU charged to the deliveries.
     */
    const allDelivered = async (ids: string[]) => {
      for (let i = 0; i < ids.length;)
        if (seen.has(ids[i])) i++;
        else await sleep(20);
      while ((await delivered(ids)) < ids.length) await sleep(20);
    };

    // the worker's own background (projection polls, schedulers) while nothing is delivered, to set against (a)
    const idle0 = cpuSeconds(worker.pid!);
    await sleep(3000);
    const idleMsPerSecond = ((cpuSeconds(worker.pid!) - idle0) * 1000) / 3;

    // (a) throughput
    const batch = Array.from({ length: DELIVERIES }, () => randomUUID());
    await insert(batch);
    const started = performance.now();
    const cpu0 = cpuNow(worker.pid!);
    // as the outbox hands them over: one job per batch of firings (JOB_SIZE rows)
    const jobs: { name: string; data: DeliverNotificationData }[] = [];
    for (let i = 0; i < batch.length; i += JOB_SIZE) jobs.push({ name: DELIVER_NOTIFICATION, data: deliveryJobData(batch.slice(i, i + JOB_SIZE)) });
    await queue.addBulk(jobs);
    await allDelivered(batch);
    const throughputSeconds = (performance.now() - started) / 1000;
    const cpu1 = cpuNow(worker.pid!);
    const perDelivery = (a: number, b: number) => `${Math.round(((b - a) * 1e6) / DELIVERIES)} µs`;
    const benchCpu = process.cpuUsage(cpu0.bench);

    // (b) latency at a steady rate
    const committed = new Map<string, number>();
    const steady: string[] = [];
    const total = RATE * SECONDS;
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const id = randomUUID();
      await insert([id]);
      committed.set(id, performance.now());
      steady.push(id);
      await queue.add(DELIVER_NOTIFICATION, deliveryJobData([id]));
    }
    await allDelivered(steady);
    const latencies = steady.map((id) => arrivals.get(id)! - committed.get(id)!).sort((a, b) => a - b);
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    const missing = [...batch, ...steady].filter((id) => !seen.has(id)).length;

    const [{ version }] = (await pg.query('SELECT version()')).rows;
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${String(version).split(',')[0]}; Node ${process.version}`);
    console.log(`(a) throughput: ${DELIVERIES} deliveries in ${throughputSeconds.toFixed(2)} s = ${Math.round(DELIVERIES / throughputSeconds)} deliveries/s`);
    console.log(
      `    CPU per delivery: worker ${perDelivery(cpu0.worker, cpu1.worker)}, PostgreSQL ${perDelivery(cpu0.postgres, cpu1.postgres)}, Redis ${perDelivery(cpu0.redis, cpu1.redis)}, ` +
        `bench + receiver ${perDelivery(0, (benchCpu.user + benchCpu.system) / 1e6)} (${jobs.length} jobs of up to ${JOB_SIZE})`,
    );
    console.log(`    the idle worker alone uses ${idleMsPerSecond.toFixed(0)} ms CPU per second (already in the worker figure)`);
    console.log(
      `    load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `(b) latency at ${RATE}/s for ${SECONDS} s (outbox commit → receiver): p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
    );
    console.log(`exactly once: ${seen.size} delivery ids received, ${duplicates} received more than once, ${missing} missing`);
    if (duplicates || missing) process.exitCode = 1;
  } finally {
    await queue.close().catch(() => undefined);
    await pg.end().catch(() => undefined);
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    receiver.close();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await dropDatabase(dbUrl);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
