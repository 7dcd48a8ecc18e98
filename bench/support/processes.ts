/**
 * The built server as separate processes on a throwaway database and Redis prefix, with per-phase CPU and memory
 * accounting: what bench:ingest and bench:triggers run on.
 *
 * A `BenchRun` names its database `kenbun_bench_<name>_<random>` (the first api process migrates it) and its queue
 * prefix `bench_<name>_<random>`; `spawnRole` starts api / worker / other node processes with the bench's
 * environment; `enter(phase)` closes the current phase's CPU and memory figures and opens the next one;
 * `runBench` runs a bench's body and always stops the processes, flushes the prefix and drops the database
 * (BENCH_KEEP_DB=1 keeps it).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { dropDatabase } from '../../src/platform/database/ensure-database';
import { fmt, sleep } from './common';
import { apiPorts } from './http';

export const ADMIN = { email: 'bench@example.com', password: 'bench-admin-password' };

export interface Proc {
  /** api#1, worker#2, node:http#1, … */
  role: string;
  child: ChildProcess;
  tail(): string;
  /** peak VmRSS (KiB) per phase */
  peaks: Map<string, number>;
  /** CPU seconds (user + system) used per phase */
  cpu: Map<string, number>;
  lastCpu: number;
  hwm: number;
}

/**
 * Where the machine's CPU went in a phase: busy time from /proc/stat; PostgreSQL split into the backends of this
 * bench's database (its process title names the database), the shared background processes (WAL writer,
 * checkpointer, …) and backends of other databases (counted as "other": the box may be shared); Redis; this
 * client process. Per-process times are differenced by pid, so a connection that closes mid-run does not subtract.
 */
export interface CpuSnapshot {
  busy: number;
  postgres: number;
  postgresBackground: number;
  redis: number;
  client: number;
}

export function memOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

const TICKS = 100; // USER_HZ on Linux
export function cpuOf(pid: number): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return undefined;
  }
}

export class BenchRun {
  readonly server = (process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
  readonly redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  readonly dbUrl: string;
  readonly dbName: string;
  readonly prefix: string;
  /** the built server scripts (dist/src) */
  readonly dist = join(__dirname, '..', '..', 'src');
  readonly procs: Proc[] = [];
  phase = 'start';
  readonly machine = new Map<string, CpuSnapshot>();
  readonly phaseWall = new Map<string, number>();
  private lastPerPid = new Map<string, number>();
  /** PostgreSQL backends of the bench's own connections (its progress polls): counted as no one's CPU, see `ownBackend` */
  private readonly ownBackends = new Set<string>();
  private lastSnapshot: CpuSnapshot;
  private readonly phaseStarted = new Map<string, number>([['startup', performance.now()]]);

  constructor(name: string) {
    this.dbUrl = `${this.server}/kenbun_bench_${name}_${randomBytes(4).toString('hex')}`;
    this.prefix = `bench_${name}_${randomBytes(3).toString('hex')}`;
    this.dbName = this.dbUrl.slice(this.dbUrl.lastIndexOf('/') + 1);
    this.lastSnapshot = this.cpuSnapshot();
    setInterval(() => this.sample(), 200).unref();
  }

  /**
   * Spawns a server process: `kind` api or worker (the built scripts), or another node process (the bare
   * node:http baseline); `no` numbers processes of a kind from 1. `extraEnv` adds to (and overrides) the environment.
   */
  spawnRole(kind: 'api' | 'worker' | 'node:http', no: number, args: string[], extraEnv: Record<string, string>, onLine?: (line: string) => void): Proc {
    const role = `${kind}#${no}`;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: this.dbUrl,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.prefix,
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      // the api logs every request at info: keep it quiet so that logging is not what is measured
      LOG_LEVEL: kind === 'api' ? 'warn' : 'info',
      KENBUN_ADMIN_EMAIL: ADMIN.email,
      KENBUN_ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      KENBUN_ROLES: '',
      ...extraEnv,
    };
    // BENCH_CPU_PROF=<dir>: the server processes write a V8 CPU profile there when they exit
    const prof =
      process.env.BENCH_CPU_PROF && kind !== 'node:http'
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${kind}-${no}.cpuprofile`]
        : [];
    const child = spawn(process.execPath, [...prof, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let partial = '';
    const keep = (d: Buffer) => {
      out = (out + d).slice(-20_000);
      if (!onLine) return;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const p: Proc = { role, child, tail: () => out, peaks: new Map(), cpu: new Map(), lastCpu: 0, hwm: 0 };
    this.procs.push(p);
    return p;
  }

  /** Starts api process `no` on `port` (added to the api ports) and waits until it answers /health/ready. */
  async startApi(no: number, port: number, extraEnv: Record<string, string> = {}): Promise<Proc> {
    apiPorts.push(port);
    const api = this.spawnRole('api', no, [join(this.dist, 'main.js')], { PORT: String(port), ...extraEnv });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (api.child.exitCode !== null) throw new Error(`${api.role} exited with ${api.child.exitCode}:\n${api.tail()}`);
      if (Date.now() > deadline) throw new Error(`${api.role} did not become ready:\n${api.tail()}`);
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok) break;
      await sleep(100);
    }
    return api;
  }

  /** Starts worker process `no` and waits for its "kenbun started" line; `onLine` sees every line it logs. */
  async startWorker(no: number, extraEnv: Record<string, string>, onLine?: (line: string) => void): Promise<Proc> {
    let workerReady: () => void = () => undefined;
    const ready = new Promise<void>((r) => (workerReady = r));
    const worker = this.spawnRole('worker', no, [join(this.dist, 'worker.js')], extraEnv, (line) => {
      if (line.includes('"kenbun started"')) workerReady();
      onLine?.(line);
    });
    await Promise.race([
      ready,
      new Promise((_, reject) => worker.child.once('exit', (c) => reject(new Error(`${worker.role} exited with ${c}:\n${worker.tail()}`)))),
      sleep(60_000).then(() => Promise.reject(new Error(`${worker.role} did not start:\n${worker.tail()}`))),
    ]);
    return worker;
  }

  sample(): void {
    for (const p of this.procs) {
      if (p.child.exitCode !== null || !p.child.pid) continue;
      const c = cpuOf(p.child.pid);
      if (c !== undefined) {
        p.cpu.set(this.phase, (p.cpu.get(this.phase) ?? 0) + (c - p.lastCpu));
        p.lastCpu = c;
      }
      const m = memOf(p.child.pid);
      if (!m) continue;
      p.peaks.set(this.phase, Math.max(p.peaks.get(this.phase) ?? 0, m.rss));
      p.hwm = Math.max(p.hwm, m.hwm);
    }
  }

  /**
   * Leaves a backend of the bench's own (`SELECT pg_backend_pid()`) out of "postgres (this db)": a bench polling for
   * completion over a long phase would otherwise add its own queries to the server's CPU per event.
   */
  ownBackend(pid: number): void {
    this.ownBackends.add(String(pid));
  }

  cpuSnapshot(): CpuSnapshot {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / TICKS;
    const snap: CpuSnapshot = { busy, postgres: 0, postgresBackground: 0, redis: 0, client: 0 };
    const perPid = new Map<string, number>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if ((!comm.startsWith('postgres') && !comm.startsWith('redis')) || this.ownBackends.has(pid)) continue;
        const x = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const t = (Number(x[11]) + Number(x[12])) / TICKS;
        perPid.set(pid, t);
        const used = t - (this.lastPerPid.get(pid) ?? 0);
        if (comm.startsWith('redis')) {
          snap.redis += used;
          continue;
        }
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (title.includes(this.dbName)) snap.postgres += used;
        else if (!/^postgres: \S+ \S+ (\d|\[local\])/.test(title)) snap.postgresBackground += used;
      } catch {
        // gone meanwhile
      }
    }
    this.lastPerPid = perPid;
    const u = process.cpuUsage();
    snap.client = (u.user + u.system) / 1e6;
    return snap;
  }

  /** Starts a measured phase: memory peaks and CPU time are attributed to it from here on. */
  enter(name: string): void {
    this.sample();
    const now = this.cpuSnapshot();
    // postgres and redis are already per-phase (differenced by pid inside cpuSnapshot)
    this.machine.set(this.phase, { ...now, busy: now.busy - this.lastSnapshot.busy, client: now.client - this.lastSnapshot.client });
    this.lastSnapshot = now;
    this.phaseWall.set(this.phase, (performance.now() - (this.phaseStarted.get(this.phase) ?? performance.now())) / 1000);
    this.phaseStarted.set(name, performance.now());
    this.phase = name;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.procs.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        const exited = new Promise((r) => p.child.once('exit', r));
        p.child.kill('SIGTERM');
        const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }),
    );
  }

  async flushRedis(pattern: string): Promise<void> {
    const redis = new Redis(this.redisUrl);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}

/**
 * Runs a bench's body, then (whatever happened, also on SIGINT/SIGTERM) stops the server processes, flushes the
 * Redis prefix and drops the database (BENCH_KEEP_DB=1 keeps it); exits 0, or 1 with the error.
 */
export function runBench(bench: BenchRun, run: () => Promise<void>): void {
  const main = async (): Promise<void> => {
    const started = performance.now();
    const cleanup = async () => {
      await bench.stopAll();
      await bench.flushRedis(`${bench.prefix}:*`).catch(() => undefined);
      if (!process.env.BENCH_KEEP_DB) await dropDatabase(bench.dbUrl).catch(() => undefined);
      else console.log('kept', bench.dbUrl);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping the server processes and dropping the database\n`);
      cleanup().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await run();
    } finally {
      await cleanup();
    }
    console.log(`\nTotal run time ${fmt((performance.now() - started) / 1000, 1)} s; server processes stopped, database dropped.`);
  };
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`\nbenchmark failed: ${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
