import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { flushRedisPrefix } from './support/test-app';
import { TEST_REDIS_URL, uniqueSuffix } from './support/test-env';

const start = join(__dirname, '..', 'dist', 'src', 'start.js');

/** Runs the built server at debug level and checks that no secret, token or password reaches its output. */
describe('secrets never reach the log', () => {
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

  it('logs requests made with every credential type without their secrets', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const password = 'log-test-admin-password';
    const child: ChildProcess = spawn(process.execPath, [start], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'trace', KENBUN_ROLES: '', KENBUN_ADMIN_EMAIL: 'logs@example.com', KENBUN_ADMIN_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const base = `http://127.0.0.1:${port}`;
    const call = (path: string, init: RequestInit = {}) => fetch(base + path, { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
    const secrets: string[] = [password];
    try {
      for (let i = 0; i < 300; i++) {
        if ((await fetch(`${base}/health/ready`).catch(() => undefined))?.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const login = (await (await call('/auth/login', { method: 'POST', body: JSON.stringify({ email: 'logs@example.com', password }) })).json()) as Record<string, string>;
      const jwt = login.access_token as string;
      secrets.push(jwt);
      const auth = { Authorization: `Bearer ${jwt}` };
      const sa = (await (await call('/secrets', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'logged' }) })).json()) as Record<string, string>;
      secrets.push(sa.client_secret);
      const pat = (await (await call('/settings/tokens', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'logged' }) })).json()) as Record<string, string>;
      secrets.push(pat.token);
      const basicAuth = { Authorization: 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64') };
      expect((await call('/org-units/active', { method: 'POST', headers: basicAuth, body: JSON.stringify({ ouId: 'unit_default' }) })).status).toBe(200);
      expect((await call('/auth/me', { headers: { Authorization: `Bearer ${pat.token}` } })).status).toBe(200);
      expect((await call('/auth/me', { headers: { Authorization: `Bearer ${pat.token}x` } })).status).toBe(401);
      expect((await call('/members', { method: 'POST', headers: auth, body: JSON.stringify({ first_name: 'a', last_name: 'b', email: 'x@y.example', password: 'member-secret-pw', role: 'member' }) })).status).toBe(201);
      secrets.push('member-secret-pw');
      expect((await call('/auth/login', { method: 'POST', body: JSON.stringify({ email: 'x@y.example', password: 'wrong-secret-pw' }) })).status).toBe(401);
      secrets.push('wrong-secret-pw');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(out).toContain('"url":"/auth/me"');
    for (const s of secrets) expect(out.includes(s)).toBe(false);
    expect(out.includes(Buffer.from(secrets[2]).toString('base64').slice(0, 20))).toBe(false);
  });
});
