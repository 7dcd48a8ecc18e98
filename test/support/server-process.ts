import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { flushRedisPrefix } from './test-app';
import { createTestDatabase, TestDatabase } from './test-database';
import { TEST_REDIS_URL, uniqueSuffix } from './test-env';

export const START_SCRIPT = join(__dirname, '..', '..', 'dist', 'src', 'start.js');
export const CLI_SCRIPT = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');

/** Runs the built CLI (`npm run cli -- …`) to its end with these settings; its exit code and output. */
export function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_SCRIPT, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  /** resolves with the exit code (null when killed by a signal) */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (for finally blocks) */
  kill(): void;
}

/** The handle of a spawned server process whose output is collected into `output()`. */
function handleOf(child: ChildProcess, base: string, output: () => string, exited: Promise<number | null>): ServerProcess {
  return {
    base,
    child,
    output,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A port the OS just handed out (free a moment ago), instead of a random guess that may collide. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function assertBuilt(): void {
  if (!existsSync(START_SCRIPT)) throw new Error(`${START_SCRIPT} is missing: run \`npm run build\` first (npm test does)`);
}

/**
 * Starts the built server with only the worker role (KENBUN_ROLES=worker; no HTTP) and waits for its
 * "kenbun started" log line, so LOG_LEVEL must be info or lower.
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<ServerProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [START_SCRIPT], {
    env: { ...process.env, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'info', ...env, KENBUN_ROLES: 'worker' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const collect = (d: Buffer) => {
    out += d;
    if (out.includes('"kenbun started"')) started();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ready, exited, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
  clearTimeout(timer); // else it keeps Jest from exiting for up to 30 s
  return handleOf(child, '', () => out, exited);
}

/** A worker-only process serving its metrics on a port of its own (WORKER_METRICS_PORT); `base` is that address. */
export async function startMetricsWorker(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const worker = await startWorkerProcess({ ...env, WORKER_METRICS_PORT: String(port) });
  return { ...worker, base: `http://127.0.0.1:${port}` };
}

/** Starts the built server (both roles) on a free port and waits until it is ready. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  assertBuilt();
  // a caller that fixes the port (to start a process again where clients expect it) gets its readiness waited on there
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [START_SCRIPT], {
    env: { ...process.env, PORT: String(port), REDIS_URL: TEST_REDIS_URL, KENBUN_ROLES: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if ((await fetch(`${base}/health/ready`).catch(() => undefined))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return handleOf(child, base, () => out, exited);
}

export interface ProcessFixture {
  /** the file's database (set in beforeAll) */
  db: TestDatabase;
  /** the file's Redis key prefix (QUEUE_PREFIX) */
  prefix: string;
  /** DATABASE_URL and QUEUE_PREFIX for a spawned server */
  env(): { DATABASE_URL: string; QUEUE_PREFIX: string };
}

/**
 * For files that spawn the built server: checks the build, gives the file a database and a Redis prefix of
 * its own in beforeAll, and drops both in afterAll. Call it at the top of a describe block.
 */
export function useProcessFixture(): ProcessFixture {
  const fixture = { prefix: `kt_${uniqueSuffix()}`, env: () => ({ DATABASE_URL: fixture.db.url, QUEUE_PREFIX: fixture.prefix }) } as ProcessFixture;
  beforeAll(async () => {
    assertBuilt();
    fixture.db = await createTestDatabase();
  });
  afterAll(async () => {
    await flushRedisPrefix(fixture.prefix);
    await fixture.db?.drop();
  });
  return fixture;
}

/**
 * What a worker started with `startMetricsWorker` has recorded so far: its `events_processed_total{outcome}`
 * counter (default outcome `recorded`), read from its metrics port.
 */
export async function processedBy(worker: ServerProcess, outcome = 'recorded'): Promise<number> {
  const res = await fetch(`${worker.base}/metrics`);
  if (!res.ok) throw new Error(`GET ${worker.base}/metrics answered ${res.status}`);
  const m = new RegExp(`^events_processed_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(await res.text());
  return m ? Number(m[1]) : 0;
}

/**
 * A JSON request to a server process: the parsed body, or an error naming the request, the process and the status
 * when it is not one of `expected`.
 */
export async function callProcess(
  proc: Pick<ServerProcess, 'base'>,
  method: string,
  path: string,
  auth: string,
  body?: unknown,
  expected = [200, 201],
): Promise<any> {
  const res = await fetch(proc.base + path, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!expected.includes(res.status)) throw new Error(`${method} ${path} on ${proc.base} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Logs the admin in through `proc` and creates a service account: its HTTP Basic credential. */
export async function serviceAccountOf(proc: Pick<ServerProcess, 'base'>, admin: { email: string; password: string }, name: string): Promise<string> {
  const login = await callProcess(proc, 'POST', '/auth/login', '', admin);
  const sa = await callProcess(proc, 'POST', '/secrets', `Bearer ${login.access_token}`, { name });
  return 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64');
}
