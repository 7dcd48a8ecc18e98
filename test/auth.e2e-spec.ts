import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { ServerKeys } from '../src/platform/security/server-keys.service';
import { anotherTenant, api, basic, bearer, login, memberWithRole, serviceAccount, Tenant } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

describe('Authentication: three credential types', () => {
  let t: TestApp;
  let a: Tenant;

  beforeAll(async () => {
    ({ t, a } = await startScenario({ roles: ['api'] }));
  });
  afterAll(() => t.close());

  describe('users (JWT from POST /auth/login)', () => {
    it('logs in and answers the current user', async () => {
      const res = await api(t, a.admin).get('/auth/me').expect(200);
      expect(res.body).toEqual({
        org_member_id: a.adminMemberId,
        first_name: 'Admin',
        last_name: 'User',
        email: 'admin@first.example',
        role: 'admin',
        verified: true,
      });
    });

    it('refuses a wrong password, an unknown email and a bad body', async () => {
      const wrong = await api(t).post('/auth/login', { email: a.adminEmail, password: 'nope-nope-nope' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: 'invalid_credentials', message: 'wrong email or password' });
      expect((await api(t).post('/auth/login', { email: 'ghost@example.com', password: 'whatever' })).status).toBe(401);
      const bad = await api(t).post('/auth/login', { email: 'not-an-email' });
      expect(bad.status).toBe(400);
      expect([...new Set(bad.body.details.map((d: { field: string }) => d.field))].sort()).toEqual(['email', 'password']);
    });

    it('refuses a tampered, expired or foreign-signed JWT', async () => {
      const good = a.admin.value.slice('Bearer '.length);
      const tampered = good.slice(0, -3) + (good.endsWith('a') ? 'bbb' : 'aaa');
      expect((await api(t, bearer(tampered)).get('/auth/me')).status).toBe(401);
      const jwt = new JwtService({});
      const claims = { sub: a.adminMemberId, org: a.orgId, typ: 'access' };
      const expired = await jwt.signAsync(claims, { secret: t.app.get(ServerKeys).jwtSigningKey as unknown as string, expiresIn: -10, issuer: 'kenbun' });
      const res = await api(t, bearer(expired)).get('/auth/me');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
      const foreign = await jwt.signAsync(claims, { secret: 'another-key', expiresIn: 60, issuer: 'kenbun' });
      expect((await api(t, bearer(foreign)).get('/auth/me')).status).toBe(401);
    });

    it('answers 401 JSON without any credential', async () => {
      const res = await api(t).get('/auth/me');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
    });

    it("reads the header's scheme case-insensitively and answers 401 for a scheme or value no credential type accepts", async () => {
      const jwt = a.admin.value.slice('Bearer '.length);
      const sa = await serviceAccount(t, a, 'schemes');
      const as = (value: string) => api(t, { header: 'Authorization', value }).get('/me/rate-limit');
      expect((await as(`bearer ${jwt}`)).status).toBe(200);
      expect((await as(sa.auth.value.replace(/^Basic/, 'basic'))).status).toBe(200);
      for (const value of [
        `Digest ${jwt}`,
        'Bearer',
        `Token ${jwt}`,
        'Basic !!!',
        'Basic ' + Buffer.from('no-colon-here').toString('base64'),
        'Basic ' + Buffer.from(`${sa.clientId}:`).toString('base64'),
        `Bearer kbn_pat_${jwt}`,
        jwt,
      ]) {
        const res = await as(value);
        expect({ value, status: res.status, body: res.body }).toEqual({ value, status: 401, body: { error: 'unauthorized', message: expect.any(String) } });
      }
    });
  });

  describe('service accounts (HTTP Basic client_id:client_secret)', () => {
    it('authenticate, and stop at once when deleted', async () => {
      const sa = await serviceAccount(t, a, 'deleted-soon');
      expect((await api(t, sa.auth).get('/me/rate-limit')).status).toBe(200);
      expect((await api(t, basic(sa.clientId, sa.clientSecret + 'x')).get('/me/rate-limit')).status).toBe(401);
      expect((await api(t, basic('kbn_sa_unknown', sa.clientSecret)).get('/me/rate-limit')).status).toBe(401);
      await api(t, a.admin).delete(`/secrets/${sa.id}`).expect(204);
      expect((await api(t, sa.auth).get('/me/rate-limit')).status).toBe(401);
      expect((await api(t, a.admin).delete(`/secrets/${sa.id}`)).status).toBe(404);
    });

    it('store only a hash and never show the secret again', async () => {
      const sa = await serviceAccount(t, a, 'listed');
      const list = await api(t, a.admin).get('/secrets').expect(200);
      expect(list.body).toEqual(expect.arrayContaining([expect.objectContaining({ secret_id: sa.id, client_id: sa.clientId, name: 'listed' })]));
      expect(JSON.stringify(list.body)).not.toContain(sa.clientSecret);
      const [row] = await t.app.get(DataSource).query(`SELECT secret_hash FROM service_accounts WHERE id = $1`, [sa.id]);
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.secret_hash).not.toContain(sa.clientSecret);
    });

    it('are not users: /auth/me and tokens answer 403', async () => {
      const sa = await serviceAccount(t, a, 'not-a-user');
      expect((await api(t, sa.auth).get('/auth/me')).status).toBe(403);
      expect((await api(t, sa.auth).post('/settings/tokens', { name: 'x' })).status).toBe(403);
    });

    it('of another organization answer 404 and keep working', async () => {
      const other = await anotherTenant(t, 'Secret Keepers');
      const theirs = await serviceAccount(t, other, 'theirs');
      expect((await api(t, a.admin).delete(`/secrets/${theirs.id}`)).status).toBe(404);
      expect((await api(t, a.admin).get('/secrets')).body.map((s: { secret_id: string }) => s.secret_id)).not.toContain(theirs.id);
      expect((await api(t, theirs.auth).get('/me/rate-limit')).status).toBe(200);
    });

    it('validate the name: 1–50 characters', async () => {
      expect((await api(t, a.admin).post('/secrets', { name: '' })).status).toBe(400);
      expect((await api(t, a.admin).post('/secrets', { name: 'x'.repeat(51) })).body.details[0].field).toBe('name');
      expect((await api(t, a.admin).post('/secrets', {})).status).toBe(400);
    });
  });

  describe('personal access tokens (Bearer kbn_pat_…)', () => {
    it('are shown once, act as their user, and are revoked at once', async () => {
      const created = await api(t, a.admin).post('/settings/tokens', { name: 'MCP Server - Laptop' }).expect(201);
      expect(created.body.token).toMatch(/^kbn_pat_[0-9a-f]{32}$/);
      expect(created.body.token_prefix).toBe(created.body.token.slice(0, 16));
      expect(created.body.expires_at).toBeNull();
      const pat = bearer(created.body.token);
      expect((await api(t, pat).get('/auth/me').expect(200)).body.org_member_id).toBe(a.adminMemberId);
      const list = await api(t, a.admin).get('/settings/tokens').expect(200);
      expect(list.body.find((x: { id: string }) => x.id === created.body.id)).toMatchObject({
        name: 'MCP Server - Laptop',
        token_prefix: created.body.token_prefix,
      });
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
      await api(t, pat).delete(`/settings/tokens/${created.body.id}`).expect(204);
      expect((await api(t, pat).get('/auth/me')).status).toBe(401);
      expect((await api(t, a.admin).get('/settings/tokens')).body.map((x: { id: string }) => x.id)).not.toContain(created.body.id);
    });

    it('expire at their expires_at', async () => {
      const soon = new Date(t.clock.now().getTime() + 60_000).toISOString();
      const created = await api(t, a.admin).post('/settings/tokens', { name: 'short', expires_at: soon }).expect(201);
      const pat = bearer(created.body.token);
      expect((await api(t, pat).get('/auth/me')).status).toBe(200);
      t.clock.advance(61_000);
      expect((await api(t, pat).get('/auth/me')).status).toBe(401);
    });

    it('refuse a past expiry, a bad date and a missing name', async () => {
      const past = await api(t, a.admin).post('/settings/tokens', { name: 'old', expires_at: '2001-01-01T00:00:00Z' });
      expect(past.status).toBe(400);
      expect(past.body.details[0]).toEqual({ field: 'expires_at', reason: 'must be in the future' });
      expect((await api(t, a.admin).post('/settings/tokens', { name: 'x', expires_at: 'tomorrow' })).body.details[0].field).toBe('expires_at');
      expect((await api(t, a.admin).post('/settings/tokens', { name: '' })).status).toBe(400);
    });

    it("cannot revoke someone else's token (404)", async () => {
      const other = await memberWithRole(t, a, 'pat-owner@first.example', 'Viewer');
      const created = await api(t, other.auth).post('/settings/tokens', { name: 'mine' }).expect(201);
      expect((await api(t, a.admin).delete(`/settings/tokens/${created.body.id}`)).status).toBe(404);
      expect((await api(t, bearer(created.body.token)).get('/auth/me')).status).toBe(200);
    });

    it('a made-up token is a 401', async () => {
      expect((await api(t, bearer('kbn_pat_' + '0'.repeat(32))).get('/auth/me')).status).toBe(401);
    });
  });

  it('a deleted member loses access with their JWT and their tokens at once', async () => {
    const m = await memberWithRole(t, a, 'leaver@first.example', 'Operator');
    const pat = bearer((await api(t, m.auth).post('/settings/tokens', { name: 'leaver' }).expect(201)).body.token);
    await api(t, a.admin).delete(`/members/${m.id}`).expect(204);
    expect((await api(t, m.auth).get('/auth/me')).status).toBe(401);
    expect((await api(t, pat).get('/auth/me')).status).toBe(401);
    expect((await login(t, 'leaver@first.example', 'member-password-12345').catch((e) => e)).message).toContain('401');
  });

  it('revokes at once in every api process, although each caches verified credentials', async () => {
    const second = await startTestApp({ roles: ['api'], db: t.db, env: { QUEUE_PREFIX: t.config.env.QUEUE_PREFIX } });
    try {
      const pat = bearer((await api(t, a.admin).post('/settings/tokens', { name: 'two-processes' }).expect(201)).body.token);
      const sa = await serviceAccount(t, a, 'two-processes');
      const m = await memberWithRole(t, a, 'two-processes@first.example', 'Operator');
      // warm both processes' caches
      for (const app of [t, second]) {
        expect((await api(app, pat).get('/auth/me')).status).toBe(200);
        expect((await api(app, sa.auth).get('/me/rate-limit')).status).toBe(200);
        expect((await api(app, m.auth).get('/auth/me')).status).toBe(200);
      }
      const patId = (await api(t, a.admin).get('/settings/tokens')).body.find((x: { name: string }) => x.name === 'two-processes').id;
      await api(t, a.admin).delete(`/settings/tokens/${patId}`).expect(204);
      await api(t, a.admin).delete(`/secrets/${sa.id}`).expect(204);
      await api(t, a.admin).put(`/members/${m.id}`, { role: 'admin' }).expect(204);
      expect((await api(second, pat).get('/auth/me')).status).toBe(401);
      expect((await api(second, sa.auth).get('/me/rate-limit')).status).toBe(401);
      // a changed member is re-read: the new org role applies on the next request everywhere
      expect((await api(second, m.auth).get('/auth/me')).body.role).toBe('admin');
      expect((await api(second, m.auth).get('/secrets')).status).toBe(200);
    } finally {
      await second.app.close();
    }
  });

  it('clears legacy auth cookies without a credential', async () => {
    const res = await api(t).post('/auth/cleanup').set('Cookie', 'token=old; session=x; activeOu=unit_default').expect(200);
    expect(res.body).toEqual({ status: 'ok', cleared: ['token', 'session'] });
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cookies.some((c) => c.startsWith('token=;'))).toBe(true);
    expect(cookies.some((c) => c.startsWith('activeOu='))).toBe(false);
  });
});
