import request from 'supertest';
import { DataSource } from 'typeorm';
import { FirstRunService } from '../../src/modules/identity/services/first-run.service';
import { RateLimitPolicyService } from '../../src/modules/identity/services/rate-limit-policy.service';
import { TestApp } from './test-app';

export type Auth = { header: string; value: string };

export const bearer = (token: string): Auth => ({ header: 'Authorization', value: `Bearer ${token}` });
export const basic = (id: string, secret: string): Auth => ({ header: 'Authorization', value: 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64') });

export const ADMIN_PASSWORD = 'first-admin-password-1';
export const MEMBER_PASSWORD = 'member-password-12345';

/** supertest with a credential attached */
export function api(t: TestApp, auth?: Auth) {
  const with_ = (r: request.Test) => (auth ? r.set(auth.header, auth.value) : r);
  return {
    get: (url: string) => with_(request(t.http).get(url)),
    post: (url: string, body?: object) => with_(request(t.http).post(url)).send(body ?? {}),
    put: (url: string, body?: object) => with_(request(t.http).put(url)).send(body ?? {}),
    patch: (url: string, body?: object) => with_(request(t.http).patch(url)).send(body ?? {}),
    delete: (url: string, body?: object) => with_(request(t.http).delete(url)).send(body ?? {}),
  };
}

export async function login(t: TestApp, email: string, password: string): Promise<Auth> {
  const res = await request(t.http).post('/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return bearer(res.body.access_token);
}

export interface Tenant {
  orgId: string;
  unitId: string;
  admin: Auth;
  adminEmail: string;
  adminMemberId: string;
}

/** Organization A comes from the first run (OU unit_default); others from the org:create path. */
export async function firstRunTenant(t: TestApp): Promise<Tenant> {
  const created = await t.app.get(FirstRunService).ensure();
  if (!created) throw new Error('first run already happened');
  return {
    orgId: created.orgId,
    unitId: created.unitId,
    adminEmail: created.adminEmail,
    adminMemberId: created.adminMemberId,
    admin: await login(t, created.adminEmail, ADMIN_PASSWORD),
  };
}

export async function anotherTenant(t: TestApp, name: string): Promise<Tenant> {
  const email = `admin@${name.toLowerCase().replace(/\W+/g, '')}.example`;
  const created = await t.app.get(FirstRunService).create({ name, adminEmail: email, adminPassword: ADMIN_PASSWORD });
  return {
    orgId: created.orgId,
    unitId: created.unitId,
    adminEmail: email,
    adminMemberId: created.adminMemberId,
    admin: await login(t, email, ADMIN_PASSWORD),
  };
}

/** Creates a member (org role `member`) and gives them `role` in `unitId`; returns their id and a JWT. */
export async function memberWithRole(t: TestApp, tenant: Tenant, email: string, role: 'Owner' | 'Operator' | 'Viewer', unitId = tenant.unitId) {
  const created = await api(t, tenant.admin).post('/members', { first_name: 'Test', last_name: role, email, password: MEMBER_PASSWORD, role: 'member' });
  if (created.status !== 201) throw new Error(`member create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const assigned = await api(t, tenant.admin).post(`/org-units/${unitId}/members`, { org_member_id: created.body.org_member_id, role });
  if (![200, 201].includes(assigned.status)) throw new Error(`assign failed: ${assigned.status}`);
  const auth = await login(t, email, MEMBER_PASSWORD);
  await activateOu(t, auth, unitId);
  return { id: created.body.org_member_id as string, auth };
}

/** Makes `ouId` the credential's active OU (200 expected). */
export async function activateOu(t: TestApp, auth: Auth, ouId: string): Promise<void> {
  await api(t, auth).post('/org-units/active', { ouId }).expect(200);
}

export interface ServiceAccount {
  id: string;
  clientId: string;
  clientSecret: string;
  auth: Auth;
}

export async function serviceAccount(t: TestApp, tenant: Tenant, name = 'pipeline'): Promise<ServiceAccount> {
  const res = await api(t, tenant.admin).post('/secrets', { name });
  if (res.status !== 201) throw new Error(`secret create failed: ${res.status}`);
  return {
    id: res.body.secret_id as string,
    clientId: res.body.client_id as string,
    clientSecret: res.body.client_secret as string,
    auth: basic(res.body.client_id, res.body.client_secret),
  };
}

export async function setRateLimit(t: TestApp, orgId: string, settings: Record<string, unknown> | null) {
  await t.app.get(DataSource).query(`UPDATE organizations SET rate_limit = $2 WHERE id = $1`, [orgId, settings ? JSON.stringify(settings) : null]);
  t.app.get(RateLimitPolicyService).invalidate(orgId);
}
