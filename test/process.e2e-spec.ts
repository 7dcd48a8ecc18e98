import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { flushRedisPrefix } from './support/test-app';
import { TEST_REDIS_URL, uniqueSuffix } from './support/test-env';

const root = join(__dirname, '..');
const start = join(root, 'dist', 'src', 'start.js');

/** The built server as a real process: configuration errors, start, readiness, SIGTERM. (`npm test` builds first.) */
describe('server process', () => {
  let db: TestDatabase;
  const prefix = `kt_${uniqueSuffix()}`;

  beforeAll(async () => {
    if (!existsSync(start)) throw new Error(`${start} is missing: run \`npm run build\` first (npm test does)`);
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await flushRedisPrefix(prefix);
    await db?.drop();
  });

  it('refuses to start on a malformed setting and names it', () => {
    const r = spawnSync(process.execPath, [start], { env: { ...process.env, PORT: 'eighty', REDIS_URL: 'http://nope' }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('PORT ("eighty")');
    expect(r.stderr).toContain('REDIS_URL');
  });

  it('starts both roles, answers readiness, and shuts down cleanly on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child: ChildProcess = spawn(process.execPath, [start], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', KENBUN_ROLES: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      let ready: Response | undefined;
      while (Date.now() < deadline) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        if (ready?.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready?.status).toBe(200);
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'X-Request-Id': 'proc-test-1' } });
      expect(await res.json()).toEqual({ status: 'ok' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'kenbun started')?.roles).toEqual(['api', 'worker']);
    expect(lines.find((l) => l.req?.id === 'proc-test-1')).toBeDefined();
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'worker drained', 'shutdown complete']));
  });
});
