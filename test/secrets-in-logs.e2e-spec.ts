import { startServerProcess, useProcessFixture } from './support/server-process';

/** Runs the built server at debug level and checks that no secret, token or password reaches its output. */
describe('secrets never reach the log', () => {
  const fixture = useProcessFixture();

  it('logs requests made with every credential type without their secrets', async () => {
    const password = 'log-test-admin-password';
    const server = await startServerProcess({ ...fixture.env(), LOG_LEVEL: 'trace', KENBUN_ADMIN_EMAIL: 'logs@example.com', KENBUN_ADMIN_PASSWORD: password });
    const base = server.base;
    const call = (path: string, init: RequestInit = {}) =>
      fetch(base + path, { ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
    const secrets: string[] = [password];
    try {
      const login = (await (await call('/auth/login', { method: 'POST', body: JSON.stringify({ email: 'logs@example.com', password }) })).json()) as Record<
        string,
        string
      >;
      const jwt = login.access_token as string;
      secrets.push(jwt);
      const auth = { Authorization: `Bearer ${jwt}` };
      const sa = (await (await call('/secrets', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'logged' }) })).json()) as Record<string, string>;
      secrets.push(sa.client_secret);
      const pat = (await (await call('/settings/tokens', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'logged' }) })).json()) as Record<
        string,
        string
      >;
      secrets.push(pat.token);
      const basicAuth = { Authorization: 'Basic ' + Buffer.from(`${sa.client_id}:${sa.client_secret}`).toString('base64') };
      expect((await call('/org-units/active', { method: 'POST', headers: basicAuth, body: JSON.stringify({ ouId: 'unit_default' }) })).status).toBe(200);
      expect((await call('/auth/me', { headers: { Authorization: `Bearer ${pat.token}` } })).status).toBe(200);
      expect((await call('/auth/me', { headers: { Authorization: `Bearer ${pat.token}x` } })).status).toBe(401);
      expect(
        (
          await call('/members', {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ first_name: 'a', last_name: 'b', email: 'x@y.example', password: 'member-secret-pw', role: 'member' }),
          })
        ).status,
      ).toBe(201);
      secrets.push('member-secret-pw');
      expect((await call('/auth/login', { method: 'POST', body: JSON.stringify({ email: 'x@y.example', password: 'wrong-secret-pw' }) })).status).toBe(401);
      secrets.push('wrong-secret-pw');
      expect(await server.stop()).toBe(0);
    } finally {
      server.kill();
    }
    const out = server.output();
    expect(out).toContain('"url":"/auth/me"');
    for (const s of secrets) expect(out.includes(s)).toBe(false);
    expect(out.includes(Buffer.from(secrets[2]).toString('base64').slice(0, 20))).toBe(false);
  });
});
