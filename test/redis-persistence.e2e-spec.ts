import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, startServerProcess, useProcessFixture } from './support/server-process';

interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** A throw-away `redis-server` on a free port, in a directory of its own, started with these flags. */
async function startRedis(flags: string[]): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kenbun-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...flags], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const up = await client
      .connect()
      .then(() => client.ping())
      .then(
        () => true,
        () => false,
      );
    client.disconnect();
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server ${flags.join(' ')} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const NO_PERSISTENCE = ['--appendonly', 'no', '--save', ''];
const LOUD_ERROR = 'REDIS WILL LOSE ACCEPTED JOBS';

/** The log lines of a process's output that parse as JSON. */
const logLines = (output: string): Record<string, any>[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

/**
 * The boot check of Redis's persistence on the built server, against Redis servers of the test's own: none (no AOF,
 * no RDB), AOF, and one whose CONFIG command is disabled.
 */
describe('Redis persistence check at start', () => {
  const fixture = useProcessFixture();
  const env = (redis: RedisServer, extra: Record<string, string> = {}) => ({ ...fixture.env(), REDIS_URL: redis.url, LOG_LEVEL: 'info', ...extra });

  it('refuses to start (exit 78) with REDIS_REQUIRE_PERSISTENCE=true when Redis persists nothing', async () => {
    const redis = await startRedis(NO_PERSISTENCE);
    const server = await startServerProcess(env(redis, { REDIS_REQUIRE_PERSISTENCE: 'true' }));
    try {
      expect(await server.exited).toBe(78);
      const error = logLines(server.output()).find((l) => l.msg?.startsWith(LOUD_ERROR));
      expect(error).toMatchObject({
        level: 50,
        problems: [expect.stringContaining('neither AOF')],
        settings: { appendonly: 'no', save: '', 'maxmemory-policy': 'noeviction' },
        use: { appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction' },
      });
      expect(server.output()).toContain('kenbun: Redis does not persist queued jobs');
    } finally {
      server.kill();
      await redis.stop();
    }
  });

  it('starts without REDIS_REQUIRE_PERSISTENCE, logging the error and exporting redis_persistence_ok 0', async () => {
    const redis = await startRedis(NO_PERSISTENCE);
    const server = await startServerProcess(env(redis));
    try {
      expect((await fetch(`${server.base}/health/ready`)).status).toBe(200);
      expect(logLines(server.output()).find((l) => l.msg?.startsWith(LOUD_ERROR))).toMatchObject({
        level: 50,
        action: expect.stringContaining('starting anyway'),
      });
      expect(await (await fetch(`${server.base}/metrics`)).text()).toMatch(/^redis_persistence_ok 0$/m);

      // fixed while running: the gauge follows at the next scrape
      const admin = new Redis(redis.url);
      await admin.config('SET', 'appendonly', 'yes');
      admin.disconnect();
      expect(await (await fetch(`${server.base}/metrics`)).text()).toMatch(/^redis_persistence_ok 1$/m);
      expect(await server.stop()).toBe(0);
    } finally {
      server.kill();
      await redis.stop();
    }
  });

  it('starts clean with --appendonly yes, even when persistence is required', async () => {
    const redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction']);
    const server = await startServerProcess(env(redis, { REDIS_REQUIRE_PERSISTENCE: 'true' }));
    try {
      expect((await fetch(`${server.base}/health/ready`)).status).toBe(200);
      expect(logLines(server.output()).filter((l) => l.context === 'RedisPersistence')).toEqual([]);
      expect(await (await fetch(`${server.base}/metrics`)).text()).toMatch(/^redis_persistence_ok 1$/m);
      expect(await server.stop()).toBe(0);
    } finally {
      server.kill();
      await redis.stop();
    }
  });

  it('warns that it could not verify when CONFIG is disabled, and starts', async () => {
    const redis = await startRedis([...NO_PERSISTENCE, '--rename-command', 'CONFIG', '']);
    const server = await startServerProcess(env(redis, { REDIS_REQUIRE_PERSISTENCE: 'true' }));
    try {
      expect((await fetch(`${server.base}/health/ready`)).status).toBe(200);
      const lines = logLines(server.output()).filter((l) => l.context === 'RedisPersistence');
      expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'could not verify that Redis persists queued jobs' })]);
      expect(await (await fetch(`${server.base}/metrics`)).text()).toMatch(/^redis_persistence_ok 0$/m);
    } finally {
      server.kill();
      await redis.stop();
    }
  });
});
