import { DataSource } from 'typeorm';
import { api, memberWithRole, serviceAccount, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

describe('Organizations, OUs, members and memberships', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ roles: ['api'], rival: 'Other Corp', activate: false }));
  });
  afterAll(() => t.close());

  describe('first run', () => {
    it('created one organization, the OU unit_default and an admin who owns it', async () => {
      expect(a.unitId).toBe('unit_default');
      const res = await api(t, a.admin).get('/org-units').expect(200);
      expect(res.body.organization).toMatchObject({ org_id: a.orgId, name: 'My organization' });
      expect(res.body.units).toEqual([{ unit_id: 'unit_default', org_id: a.orgId, name: 'Default', slug: 'default', is_default: true, role: 'Owner' }]);
      const [m] = await t.app.get(DataSource).query(`SELECT password_hash FROM org_members WHERE id = $1`, [a.adminMemberId]);
      expect(m.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    });
  });

  describe('active OU', () => {
    it('is remembered per credential: the seed 000 quick start works with a service account', async () => {
      const sa = await serviceAccount(t, a, 'quick-start');
      const before = await api(t, sa.auth).get('/audit-logs');
      expect(before.status).toBe(400);
      expect(before.body.error).toBe('no_active_ou');
      const set = await api(t, sa.auth).post('/org-units/active', { ouId: 'unit_default' }).expect(200);
      expect(set.headers['x-active-ou']).toBe('unit_default');
      expect(set.headers['set-cookie'][0]).toMatch(/^activeOu=unit_default;.*HttpOnly/);
      expect(set.body).toEqual({ unit_id: 'unit_default', name: 'Default', slug: 'default', org_id: a.orgId, role: 'Operator' });
      // no cookie sent: the OU comes from the credential
      expect((await api(t, sa.auth).get('/audit-logs')).status).toBe(200);
      // another credential of the same organization keeps its own (unset) active OU
      const other = await serviceAccount(t, a, 'quick-start-2');
      expect((await api(t, other.auth).get('/audit-logs')).body.error).toBe('no_active_ou');
    });

    it('lets the cookie win over the remembered OU', async () => {
      const unit2 = (await api(t, a.admin).post('/org-units', { name: 'EMEA' }).expect(201)).body.unit_id;
      await api(t, a.admin).post('/org-units/active', { ouId: 'unit_default' }).expect(200);
      const viaCookie = await api(t, a.admin).put('/me/notification-prefs', { notifications_enabled: false }).set('Cookie', `activeOu=${unit2}`).expect(200);
      expect(viaCookie.body).toEqual({ status: 'ok' });
      expect((await api(t, a.admin).get('/me/notification-prefs').set('Cookie', `activeOu=${unit2}`)).body.notifications_enabled).toBe(false);
      expect((await api(t, a.admin).get('/me/notification-prefs')).body.notifications_enabled).toBe(true);
    });

    it("answers 404 for another organization's OU and 403 for an OU the caller is not in", async () => {
      const res = await api(t, a.admin).post('/org-units/active', { ouId: b.unitId });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('ou_not_found');
      const viewer = await memberWithRole(t, a, 'only-default@first.example', 'Viewer');
      const units = (await api(t, a.admin).get('/org-units')).body.units.map((u: { unit_id: string }) => u.unit_id);
      const notMine = units.find((u: string) => u !== 'unit_default');
      expect((await api(t, viewer.auth).post('/org-units/active', { ouId: notMine })).status).toBe(403);
      expect((await api(t, viewer.auth).get('/org-units')).body.units.map((u: { unit_id: string }) => u.unit_id)).toEqual(['unit_default']);
      expect((await api(t, a.admin).post('/org-units/active', {})).status).toBe(400);
    });
  });

  describe('organizational units', () => {
    it('are created by org admins only, up to three per organization', async () => {
      const operator = await memberWithRole(t, a, 'op-units@first.example', 'Operator');
      expect((await api(t, operator.auth).post('/org-units', { name: 'Nope' })).status).toBe(403);
      const created = await api(t, b.admin).post('/org-units', { name: 'Sales & Marketing' }).expect(201);
      expect(created.body).toEqual({ unit_id: expect.stringMatching(/^unit_/), name: 'Sales & Marketing', slug: 'sales-marketing' });
      await api(t, b.admin).post('/org-units', { name: 'Third' }).expect(201);
      const fourth = await api(t, b.admin).post('/org-units', { name: 'Fourth' });
      expect(fourth.status).toBe(403);
      expect(fourth.body.error).toBe('ou_limit_reached');
      expect((await api(t, b.admin).post('/org-units', { name: '   ' })).status).toBe(400);
    });

    it('are renamed by their Owner; others get 403, other organizations 404', async () => {
      const renamed = await api(t, a.admin).put('/org-units/unit_default', { name: 'Headquarters' }).expect(200);
      expect(renamed.body).toEqual({ unit_id: 'unit_default', name: 'Headquarters', slug: 'headquarters' });
      const operator = await memberWithRole(t, a, 'op-rename@first.example', 'Operator');
      expect((await api(t, operator.auth).put('/org-units/unit_default', { name: 'X' })).status).toBe(403);
      expect((await api(t, b.admin).put('/org-units/unit_default', { name: 'Stolen' })).status).toBe(404);
      expect((await api(t, a.admin).put('/org-units/unit_default', {})).status).toBe(400);
      expect((await api(t, a.admin).put('/org-units/unit_default', { name: 'Default' })).status).toBe(200);
    });
  });

  describe('members', () => {
    it('are created by admins with a hashed password; duplicates and bad bodies are refused', async () => {
      const res = await api(t, a.admin)
        .post('/members', { first_name: 'Jane', last_name: 'Doe', email: 'Jane@First.example', password: 'jane-password-123', role: 'member' })
        .expect(201);
      expect(res.body).toEqual({
        org_member_id: expect.stringMatching(/^om_/),
        first_name: 'Jane',
        last_name: 'Doe',
        email: 'jane@first.example',
        role: 'member',
      });
      const dup = await api(t, a.admin).post('/members', {
        first_name: 'J',
        last_name: 'D',
        email: 'jane@first.example',
        password: 'another-password',
        role: 'member',
      });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toBe('email_taken');
      const bad = await api(t, a.admin).post('/members', { first_name: 'J', email: 'x', password: 'short', role: 'king' });
      expect(bad.status).toBe(400);
      expect(new Set(bad.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['last_name', 'email', 'password', 'role']));
      const list = await api(t, a.admin).get('/members').expect(200);
      expect(list.body.find((m: { email: string }) => m.email === 'jane@first.example')).toMatchObject({
        role: 'member',
        verified: false,
        slack_user_id: null,
      });
      expect(JSON.stringify(list.body)).not.toMatch(/password|scrypt/);
    });

    it('are changed and deleted by admins only; the last admin stays', async () => {
      const viewer = await memberWithRole(t, a, 'member-edit@first.example', 'Operator');
      expect(
        (await api(t, viewer.auth).post('/members', { first_name: 'a', last_name: 'b', email: 'c@d.example', password: 'password-123', role: 'member' }))
          .status,
      ).toBe(403);
      await api(t, a.admin).put(`/members/${viewer.id}`, { first_name: 'Renamed' }).expect(204);
      expect((await api(t, viewer.auth).get('/auth/me')).body.first_name).toBe('Renamed');
      expect((await api(t, a.admin).put(`/members/${viewer.id}`, { role: 'emperor' })).status).toBe(400);
      expect((await api(t, b.admin).put(`/members/${viewer.id}`, { first_name: 'x' })).status).toBe(404);
      const lastAdmin = await api(t, a.admin).delete(`/members/${a.adminMemberId}`);
      expect(lastAdmin.status).toBe(409);
      expect(lastAdmin.body.error).toBe('last_admin');
      expect((await api(t, a.admin).put(`/members/${a.adminMemberId}`, { role: 'member' })).status).toBe(409);
      expect((await api(t, b.admin).delete(`/members/${viewer.id}`)).status).toBe(404);
    });

    it('get a Slack user id from an admin, validated, masked in lists, never across organizations', async () => {
      const m = await memberWithRole(t, a, 'slacker@first.example', 'Viewer');
      const res = await api(t, a.admin).put(`/members/${m.id}/slack`, { slack_user_id: 'U012AB3CD' }).expect(200);
      expect(res.body).toEqual({ org_member_id: m.id, slack_user_id: 'U012AB3CD' });
      expect((await api(t, a.admin).get('/members')).body.find((x: { org_member_id: string }) => x.org_member_id === m.id).slack_user_id).toBe('U01•••3CD');
      expect((await api(t, a.admin).put(`/members/${m.id}/slack`, { slack_user_id: 'u012' })).status).toBe(400);
      expect((await api(t, m.auth).put(`/members/${m.id}/slack`, { slack_user_id: 'U1' })).status).toBe(403);
      expect((await api(t, b.admin).put(`/members/${m.id}/slack`, { slack_user_id: 'U1' })).status).toBe(404);
      expect((await api(t, m.auth).get('/me/notification-prefs')).body.slack_user_id).toBe('U01•••3CD');
    });
  });

  describe('OU memberships', () => {
    it('assignment is idempotent and needs Owner or Operator', async () => {
      const target = (
        await api(t, a.admin).post('/members', { first_name: 'T', last_name: 'M', email: 'target@first.example', password: 'target-password', role: 'member' })
      ).body.org_member_id;
      const first = await api(t, a.admin).post('/org-units/unit_default/members', { org_member_id: target }).expect(201);
      expect(first.body).toMatchObject({ unit_id: 'unit_default', org_member_id: target, role: 'Viewer', email: 'target@first.example' });
      const again = await api(t, a.admin).post('/org-units/unit_default/members', { org_member_id: target }).expect(200);
      expect(again.body.role).toBe('Viewer');
      const viewer = await memberWithRole(t, a, 'viewer-assign@first.example', 'Viewer');
      expect((await api(t, viewer.auth).post('/org-units/unit_default/members', { org_member_id: target, role: 'Owner' })).status).toBe(403);
      const operator = await memberWithRole(t, a, 'operator-assign@first.example', 'Operator');
      expect((await api(t, operator.auth).put(`/org-units/unit_default/members/${target}`, { role: 'Operator' })).body.role).toBe('Operator');
      const listed = await api(t, viewer.auth).get('/org-units/unit_default/members').expect(200);
      expect(listed.body.find((m: { org_member_id: string }) => m.org_member_id === target).role).toBe('Operator');
      expect((await api(t, a.admin).post('/org-units/unit_default/members', { org_member_id: target, role: 'Boss' })).status).toBe(400);
      expect((await api(t, a.admin).post('/org-units/unit_default/members', { org_member_id: b.adminMemberId })).status).toBe(404);
      expect((await api(t, b.admin).get('/org-units/unit_default/members')).status).toBe(404);
    });

    it('removal takes the OU away at once', async () => {
      const m = await memberWithRole(t, a, 'removed@first.example', 'Operator');
      expect((await api(t, m.auth).get('/audit-logs')).status).toBe(200);
      await api(t, a.admin).delete(`/org-units/unit_default/members/${m.id}`).expect(204);
      const after = await api(t, m.auth).get('/audit-logs');
      expect(after.status).toBe(400);
      expect(after.body.error).toBe('no_active_ou');
      expect((await api(t, m.auth).get('/audit-logs').set('Cookie', 'activeOu=unit_default')).status).toBe(400);
      expect((await api(t, a.admin).delete(`/org-units/unit_default/members/${m.id}`)).status).toBe(404);
    });
  });

  describe('me', () => {
    it('reports the rate-limit configuration of the caller', async () => {
      const res = await api(t, a.admin).get('/me/rate-limit').expect(200);
      expect(res.body).toEqual({
        enabled: true,
        mode: 'enforce',
        key_by: 'principal',
        key: `member:${a.adminMemberId}`,
        rps: expect.any(Number),
        burst: 100000,
        per_minute: 100000,
        stage: 'test',
      });
    });

    it('keeps notification preferences per user and OU, all four types listed', async () => {
      const m = await memberWithRole(t, a, 'prefs@first.example', 'Viewer');
      const initial = await api(t, m.auth).get('/me/notification-prefs').expect(200);
      expect(initial.body).toEqual({
        notifications_enabled: true,
        slack_user_id: null,
        prefs: ['milestone_reached', 'milestone_exited', 'sequence_completed', 'surge_detected'].map((event_type) => ({ event_type, muted: false })),
      });
      // a Viewer may change their own preferences
      await api(t, m.auth)
        .put('/me/notification-prefs', { prefs: [{ event_type: 'surge_detected', muted: true }] })
        .expect(200);
      await api(t, m.auth).put('/me/notification-prefs', { notifications_enabled: false }).expect(200);
      const after = (await api(t, m.auth).get('/me/notification-prefs')).body;
      expect(after.notifications_enabled).toBe(false);
      expect(after.prefs.find((p: { event_type: string }) => p.event_type === 'surge_detected').muted).toBe(true);
      const bad = await api(t, m.auth).put('/me/notification-prefs', { prefs: [{ event_type: 'lead_created', muted: true }] });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('prefs[0].event_type');
    });
  });
});
