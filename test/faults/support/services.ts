/**
 * A PostgreSQL and a Redis of the fault suite's own, so that stopping and restarting them touches nothing else on
 * the machine: PostgreSQL initialised with `initdb` in a temporary folder and run by `pg_ctl` on a free port (as
 * the `postgres` user when the suite runs as root: PostgreSQL refuses to run as root), Redis started from
 * `redis-server` on a free port with append-only persistence (the settings the README asks a deployment for).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/server-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `pg_ctl` and `initdb`: on the PATH, else the newest /usr/lib/postgresql/<n>/bin (Debian's layout). */
function pgBin(name: string): string {
  if (spawnSync('which', [name]).status === 0) return name;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  throw new Error(`${name} not found (install PostgreSQL's server binaries)`);
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as `postgres` when this process is root. */
function pgRun(bin: string, args: string[], timeoutMs = 60_000): string {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(bin), ...args]] : [pgBin(bin), args];
  return execFileSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'kenbun-faults-pg-'));
  port = 0;

  get server(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  url(db: string): string {
    return `${this.server}/${db}`;
  }

  async init(): Promise<void> {
    this.port = await freePort();
    if (asRoot) {
      chownSync(this.dir, uidOf('postgres'), gidOf('postgres'));
      chmodSync(this.dir, 0o700);
    }
    pgRun('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    this.start();
  }

  /** fsync and synchronous_commit stay on (the defaults): a committed event survives the restarts below. */
  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c synchronous_commit=on`;
    pgRun('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', opts, '-w', '-t', '60', 'start']);
  }

  /** A fast shutdown (every session rolled back and ended at once), as an operator's restart or a failover does. */
  stop(): void {
    pgRun('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  destroy(): void {
    try {
      pgRun('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class OwnRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'kenbun-faults-redis-'));
  port = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    // append-only file, fsync'd every second: a clean shutdown writes everything; RDB snapshots off
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out = (out + d).slice(-5000)));
    child.stderr!.on('data', (d) => (out = (out + d).slice(-5000)));
    this.exited = new Promise((r) => child.once('exit', () => r()));
    this.child = child;
    for (let i = 0; i < 200; i++) {
      if (spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return;
      if (child.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`redis-server on ${this.port} did not start:\n${out}`);
  }

  /** SIGTERM = SHUTDOWN: Redis writes and fsyncs its append-only file, then exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await this.exited;
    this.child = null;
  }

  async destroy(): Promise<void> {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
