import { DataSource } from 'typeorm';
import { CredentialCache } from '../src/modules/identity/services/credential-cache.service';
import { OrgUnitsService } from '../src/modules/identity/services/org-units.service';
import { activateOu, api, Auth, bearer, memberWithRole, serviceAccount, Tenant } from './support/tenants';
import { eventually, flushRedisPrefix, startTestApp, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

/**
 * Each api process keeps the active OU it resolved for a credential (and cookie) in memory. Whatever changes
 * that answer in one process is seen by the next request in every other: two app instances on one database
 * and one Redis prefix, changes made through A, requests sent to B.
 */
describe('Active OU cache: changes in one api process apply at once in the others', () => {
  let t: TestApp;
  let b: TestApp;
  let a: Tenant;

  beforeAll(async () => {
    ({ t, a } = await startScenario({ roles: ['api'] }));
    b = await startTestApp({ roles: ['api'], db: t.db, env: { QUEUE_PREFIX: t.config.env.QUEUE_PREFIX } });
    // both processes cache only once their invalidation subscription is up
    for (const app of [t, b]) await eventually(async () => (app.app.get(CredentialCache) as unknown as { live: boolean }).live);
  });
  afterAll(async () => {
    await b.app.close();
    await flushRedisPrefix(b.config.env.QUEUE_PREFIX);
    await t.close();
  });

  /**
   * What the credential may do in its active OU, by the answer to an OU-scoped write with an invalid body (the
   * guard decides before the body is read): `write` (400 validation_failed), `read-only` (403 Viewer), `none`.
   */
  const accessIn = async (app: TestApp, auth: Auth, cookie?: string): Promise<string> => {
    const req = api(app, auth).post('/ingest', {});
    const res = await (cookie ? req.set('Cookie', `activeOu=${cookie}`) : req);
    if (res.status === 400 && res.body.error === 'validation_failed') return 'write';
    if (res.status === 403 && res.body.error === 'forbidden') return 'read-only';
    if (res.status === 400 && res.body.error === 'no_active_ou') return 'none';
    return `${res.status} ${res.body.error}`;
  };
  /** asked twice: the second answer comes from B's cache */
  const warm = async (auth: Auth, expected: string, cookie?: string) => {
    for (let i = 0; i < 2; i++) expect(await accessIn(b, auth, cookie)).toBe(expected);
  };

  it('caches the answer: a change behind its back (plain SQL, no invalidation) is not seen until one through the API', async () => {
    const m = await memberWithRole(t, a, 'cached@first.example', 'Operator');
    await warm(m.auth, 'write');
    await t.app.get(DataSource).query(`UPDATE ou_memberships SET role = 'Viewer' WHERE org_member_id = $1`, [m.id]);
    expect(await accessIn(b, m.auth)).toBe('write'); // B answered from memory, not from the database
    await api(t, a.admin).put(`/org-units/${a.unitId}/members/${m.id}`, { role: 'Viewer' }).expect(200);
    expect(await accessIn(b, m.auth)).toBe('read-only');
  });

  it('a role change in an OU (Operator → Viewer → Operator)', async () => {
    const m = await memberWithRole(t, a, 'demoted@first.example', 'Operator');
    await warm(m.auth, 'write');
    await api(t, a.admin).put(`/org-units/${a.unitId}/members/${m.id}`, { role: 'Viewer' }).expect(200);
    expect(await accessIn(b, m.auth)).toBe('read-only');
    await api(t, a.admin).put(`/org-units/${a.unitId}/members/${m.id}`, { role: 'Operator' }).expect(200);
    expect(await accessIn(b, m.auth)).toBe('write');
  });

  it('a re-assignment with another role (POST /org-units/{id}/members)', async () => {
    const m = await memberWithRole(t, a, 'reassigned@first.example', 'Viewer');
    await warm(m.auth, 'read-only');
    await api(t, a.admin).post(`/org-units/${a.unitId}/members`, { org_member_id: m.id, role: 'Owner' }).expect(200);
    expect(await accessIn(b, m.auth)).toBe('write');
  });

  it('a removed membership, with the remembered OU and with the cookie naming it', async () => {
    const m = await memberWithRole(t, a, 'removed-ou@first.example', 'Viewer');
    await warm(m.auth, 'read-only');
    await warm(m.auth, 'read-only', a.unitId);
    await api(t, a.admin).delete(`/org-units/${a.unitId}/members/${m.id}`).expect(204);
    expect(await accessIn(b, m.auth)).toBe('none');
    expect(await accessIn(b, m.auth, a.unitId)).toBe('none');
  });

  it('the active OU set through another process (POST /org-units/active), for a JWT and a token', async () => {
    const second = (await api(t, a.admin).post('/org-units', { name: 'Cache second' }).expect(201)).body.unit_id as string;
    const m = await memberWithRole(t, a, 'switcher@first.example', 'Operator');
    await api(t, a.admin).post(`/org-units/${second}/members`, { org_member_id: m.id, role: 'Viewer' }).expect(201);
    const pat = bearer((await api(t, m.auth).post('/settings/tokens', { name: 'switcher' }).expect(201)).body.token);
    await activateOu(t, pat, a.unitId);
    await warm(m.auth, 'write');
    await warm(pat, 'write');
    await activateOu(t, m.auth, second);
    expect(await accessIn(b, m.auth)).toBe('read-only');
    expect(await accessIn(b, pat)).toBe('write'); // remembered per credential
    await activateOu(t, pat, second);
    expect(await accessIn(b, pat)).toBe('read-only');
  });

  it('a member removed from the organization, or no longer its admin', async () => {
    const leaver = await memberWithRole(t, a, 'org-leaver@first.example', 'Operator');
    await warm(leaver.auth, 'write');
    await api(t, a.admin).delete(`/members/${leaver.id}`).expect(204);
    expect((await api(b, leaver.auth).post('/ingest', {})).status).toBe(401);

    // an org admin is Owner of every OU without a membership; demoted, they have none here
    const created = await api(t, a.admin).post('/members', {
      first_name: 'A',
      last_name: 'D',
      email: 'ex-admin@first.example',
      password: 'member-password-12345',
      role: 'admin',
    });
    const exAdmin = {
      id: created.body.org_member_id as string,
      auth: bearer((await api(t).post('/auth/login', { email: 'ex-admin@first.example', password: 'member-password-12345' })).body.access_token),
    };
    await activateOu(t, exAdmin.auth, a.unitId);
    await warm(exAdmin.auth, 'write');
    await api(t, a.admin).put(`/members/${exAdmin.id}`, { role: 'member' }).expect(204);
    // the invalidation reaches the other process by Redis pub/sub, a moment after the 204 (CI once saw it lose that race)
    await eventually(async () => (await accessIn(b, exAdmin.auth)) === 'none', 1000, 10);
  });

  it('a new OU: a cookie that named it before it existed now acts in it, as its creator (Owner)', async () => {
    const m = await memberWithRole(t, a, 'creator@first.example', 'Viewer');
    const unitId = 'unit_cache_new';
    await warm(m.auth, 'read-only', unitId); // no such OU yet: the remembered one applies
    const principal = { type: 'member' as const, id: m.id, orgId: a.orgId, memberId: m.id, orgRole: 'member' as const, activeOuKey: `member:${m.id}` };
    await t.app.get(OrgUnitsService).create(principal, 'Cache new', unitId);
    expect(await accessIn(b, m.auth, unitId)).toBe('write');
  });

  it('a deleted service account', async () => {
    const sa = await serviceAccount(t, a, 'cache-sa');
    await activateOu(t, sa.auth, a.unitId);
    await warm(sa.auth, 'write');
    await api(t, a.admin).delete(`/secrets/${sa.id}`).expect(204);
    expect((await api(b, sa.auth).post('/ingest', {})).status).toBe(401);
  });
});
