import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { activateOu, api, memberWithRole, serviceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

describe('Audit log', () => {
  let t: TestApp;
  let a: Tenant;

  beforeAll(async () => {
    ({ t, a } = await startScenario({ roles: ['api'] }));
    await activateOu(t, a.admin, a.unitId);
  });
  afterAll(() => t.close());

  const flush = () => t.app.get(AuditWriter).flush();

  it('records every mutating request with actor, method, path, status, IP, latency, entity and a readable summary', async () => {
    await api(t, a.admin).put('/me/notification-prefs', { notifications_enabled: false }).expect(200);
    await api(t, a.admin)
      .put('/me/notification-prefs', { prefs: [{ event_type: 'nope', muted: true }] })
      .expect(400);
    await flush();
    const res = await api(t, a.admin).get('/audit-logs?path=x'.replace('?path=x', '')).expect(200);
    const [failed, ok] = res.body.items;
    expect(ok).toMatchObject({
      user_email: 'admin@first.example',
      actor_type: 'member',
      actor_id: a.adminMemberId,
      method: 'PUT',
      path: '/me/notification-prefs',
      status: 200,
      verb: 'updated',
      entity_type: 'notification_prefs',
      unit_id: 'unit_default',
      summary: 'admin@first.example updated their notification preferences',
    });
    expect(ok.ip).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
    expect(ok.latency_ms).toBeGreaterThanOrEqual(0);
    expect(ok.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed).toMatchObject({ method: 'PUT', status: 400 });
    // reads are not audited
    expect(res.body.items.some((i: { method: string }) => i.method === 'GET')).toBe(false);
  });

  it('filters by method, status range, user and search, sorts and pages', async () => {
    const viewer = await memberWithRole(t, a, 'auditee@first.example', 'Viewer');
    await api(t, viewer.auth).put('/me/notification-prefs', { notifications_enabled: true }).expect(200);
    await api(t, viewer.auth).post('/org-units/unit_default/members', { org_member_id: viewer.id, role: 'Owner' }).expect(403);
    await flush();
    const q = (s: string) =>
      api(t, a.admin)
        .get(`/audit-logs?${s}`)
        .expect(200)
        .then((r) => r.body);
    expect((await q('user_email=AUDITEE@first.example')).items.every((i: { user_email: string }) => i.user_email === 'auditee@first.example')).toBe(true);
    expect((await q('status_min=400&status_max=499')).items.map((i: { status: number }) => i.status).every((s: number) => s >= 400 && s < 500)).toBe(true);
    expect((await q('method=POST')).items.every((i: { method: string }) => i.method === 'POST')).toBe(true);
    expect((await q('search=org-units/unit_default/members')).items.length).toBeGreaterThan(0);
    const asc = await q('sort_by=status&sort_order=ASC&limit=2&offset=0');
    expect(asc).toMatchObject({ limit: 2, offset: 0 });
    expect(asc.items).toHaveLength(2);
    expect(asc.items[0].status).toBeLessThanOrEqual(asc.items[1].status);
    const page2 = await q('sort_by=status&sort_order=ASC&limit=2&offset=2');
    expect(page2.items[0]?.id).not.toBe(asc.items[0].id);
    const bad = await api(t, a.admin).get('/audit-logs?sort_by=password&limit=900');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'sort_by']);
  });

  it('never stores a secret or token created by a request', async () => {
    const sa = await serviceAccount(t, a, 'secret-holder');
    const pat = (await api(t, a.admin).post('/settings/tokens', { name: 'never-logged' }).expect(201)).body.token;
    await api(t, sa.auth).post('/org-units/active', { ouId: 'unit_default' }).expect(200);
    await flush();
    const rows = await t.app.get(DataSource).query(`SELECT * FROM audit_logs`);
    const text = JSON.stringify(rows);
    expect(text).toContain('secret-holder');
    expect(text).toContain('never-logged');
    expect(text).not.toContain(sa.clientSecret);
    expect(text).not.toContain(pat);
    expect(text).not.toContain(pat.slice(16));
  });

  it('keeps OUs apart: entries of one OU do not show in another', async () => {
    const unit2 = (await api(t, a.admin).post('/org-units', { name: 'Audit Two' }).expect(201)).body.unit_id;
    await api(t, a.admin).put('/me/notification-prefs', { notifications_enabled: true }).set('Cookie', `activeOu=${unit2}`).expect(200);
    await flush();
    const inUnit2 = await eventually(async () => (await api(t, a.admin).get('/audit-logs').set('Cookie', `activeOu=${unit2}`)).body.items);
    expect(inUnit2.every((i: { unit_id: string | null }) => i.unit_id === unit2 || i.unit_id === null)).toBe(true);
    const inDefault = (await api(t, a.admin).get('/audit-logs')).body.items;
    expect(inDefault.some((i: { unit_id: string }) => i.unit_id === unit2)).toBe(false);
  });
});
