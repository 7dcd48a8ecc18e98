import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { DataSource } from 'typeorm';
import { emailAliases as email, ingestAndWait, scoreOf } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

/** Issue 12 item 5: the buying committee of an account (BC-1..3): manual members, roles, refresh of inferred ones only. */
describe('Buying committee', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  const as = () => api(t, sa.auth);
  const path = '/accounts/acct_umbrella.example/buying-committee';
  const lead: Record<string, string> = {};
  const visit = (who: string, n = 1) =>
    Array.from({ length: n }, (_, i) => ({ ...email(`${who}@umbrella.example`), event_type: 'Demo Request', timestamp: ago((10 + i) * MIN) }));

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Committee Rivals', serviceAccount: 'committee' }));
    viewer = (await memberWithRole(t, a, 'viewer-bc@first.example', 'Viewer')).auth;
    await activateOu(t, a.admin, a.unitId);
    await activateOu(t, viewer, a.unitId);
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    await api(t, b.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    await createRuleset(t, sa.auth, 'Engagement', [{ event_type: 'Demo Request', weight: 10 }]);
    await ingestAndWait(t, sa.auth, [...visit('ceo'), ...visit('director'), ...visit('analyst', 3), ...visit('intern')]);
    const ds = t.app.get(DataSource);
    for (const who of ['ceo', 'director', 'analyst', 'intern'])
      lead[who] = (
        await ds.query(`SELECT l.lead_id FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.value = $1`, [`${who}@umbrella.example`])
      )[0].lead_id;
    await as().patch(`/lead/${lead.ceo}/metadata`, { title: 'Chief Executive Officer', first_name: 'Ada' }).expect(200);
    await as().patch(`/lead/${lead.director}/metadata`, { title: 'Director of IT' }).expect(200);
    await as().patch(`/lead/${lead.analyst}/metadata`, { title: 'Analyst' }).expect(200);
    await eventually(async () => {
      const res = await as().get('/accounts/acct_umbrella.example');
      return res.status === 200 && res.body.leads.length === 4;
    });
  });
  afterAll(() => t.close());

  it('starts empty (200 [])', async () => {
    expect((await as().get(path).expect(200)).body).toEqual([]);
  });

  it('adds a manual member with the BC-1 fields (201), is_manual true', async () => {
    const res = await as().post(path, { lead_id: lead.intern, role: 'kol', notes: 'Writes the blog' }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      lead_id: lead.intern,
      account_id: 'acct_umbrella.example',
      role: 'kol',
      engagement_score: 10,
      activity_count: 1,
      first_engagement_at: ago(10 * MIN),
      last_engagement_at: ago(10 * MIN),
      is_manual: true,
      notes: 'Writes the blog',
      best_alias: 'intern@umbrella.example',
      first_name: null,
      last_name: null,
      email: 'intern@umbrella.example',
      title: null,
      company_name: null,
      engagement_level: null,
      profile_level: null,
      owner_name: null,
    });
  });

  it('refreshes inferred members only (BC-3 rules), leaving the manual member alone', async () => {
    const res = await as().post(`${path}/refresh`).expect(200);
    const roles = Object.fromEntries((res.body as { lead_id: string; role: string; is_manual: boolean }[]).map((m) => [m.lead_id, [m.role, m.is_manual]]));
    expect(roles).toEqual({
      [lead.ceo]: ['decision_maker', false],
      [lead.director]: ['influencer', false],
      [lead.analyst]: ['champion', false], // the most engaged non-decision-maker (top quartile: no Hot level)
      [lead.intern]: ['kol', true],
    });
    expect((res.body as { lead_id: string; first_name: string | null }[]).find((m) => m.lead_id === lead.ceo)!.first_name).toBe('Ada');
  });

  it('updates a role (200; the member becomes manual) and a refresh keeps it', async () => {
    const res = await as().put(path, { lead_id: lead.director, role: 'decision_maker' }).expect(200);
    expect(res.body).toMatchObject({ lead_id: lead.director, role: 'decision_maker', is_manual: true });
    const after = (await as().post(`${path}/refresh`).expect(200)).body as { lead_id: string; role: string }[];
    expect(after.find((m) => m.lead_id === lead.director)!.role).toBe('decision_maker');
    expect(after).toHaveLength(4);
  });

  it('lists committee factors in the account why', async () => {
    const why = (await as().get('/accounts/acct_umbrella.example/why').expect(200)).body;
    // each factor at its maximum among the contacts: the analyst's three demo requests (with their session multiplier)
    const top = await scoreOf(t, sa.auth, lead.analyst);
    expect(top).toBeGreaterThan(10);
    expect(why.factors.map((f: { kind: string; label: string; points: number; lead_id: string | null }) => [f.kind, f.label, f.points, f.lead_id])).toEqual([
      ['committee', 'champion engaged', top, lead.analyst],
      ['engagement', 'Demo Request', top, lead.analyst],
      ['committee', 'decision maker engaged', 10, expect.any(String)],
    ]);
    expect(why).toMatchObject({ contributing_lead_count: 2, total_contact_count: 4, mostly_disqualified: false });
  });

  it('removes a member (204); 404 for a lead that is not a member', async () => {
    await as().delete(`${path}/${lead.intern}`).expect(204);
    expect((await as().delete(`${path}/${lead.intern}`)).status).toBe(404);
    expect((await as().get(path).expect(200)).body).toHaveLength(3);
  });

  it('refuses bad bodies (400 naming the field), nothing written', async () => {
    expect((await as().post(path, { lead_id: lead.intern, role: 'boss' }).expect(400)).body.details[0].field).toBe('role');
    expect((await as().post(path, { role: 'kol' }).expect(400)).body.details[0].field).toBe('lead_id');
    expect((await as().put(path, { lead_id: lead.intern, role: 'kol' })).status).toBe(404);
    expect((await as().get(path).expect(200)).body).toHaveLength(3);
  });

  it('answers 401 without a credential, 403 to a Viewer on changes, 404 to another organization', async () => {
    expect((await api(t).get(path)).status).toBe(401);
    expect((await api(t, viewer).get(path)).status).toBe(200);
    expect((await api(t, viewer).post(path, { lead_id: lead.intern, role: 'kol' })).status).toBe(403);
    expect((await api(t, viewer).post(`${path}/refresh`)).status).toBe(403);
    expect((await api(t, b.admin).get(path)).status).toBe(404);
    expect((await api(t, b.admin).post(path, { lead_id: lead.intern, role: 'kol' })).status).toBe(404);
    expect((await as().post(path, { lead_id: 'ld_elsewhere', role: 'kol' })).status).toBe(404);
  });

  it('audits each change', async () => {
    await t.app.get(AuditWriter).flush();
    const rows = await t.app.get(DataSource).query(`SELECT verb FROM audit_logs WHERE entity_type LIKE 'buying_committee%' AND status < 300 ORDER BY id`);
    expect(rows.map((r: { verb: string }) => r.verb)).toEqual(['create', 'refresh', 'update', 'refresh', 'delete']);
  });

  it('answers 403 abm_disabled when ABM is off', async () => {
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: false }).expect(204);
    expect((await as().get(path).expect(403)).body.error).toBe('abm_disabled');
  });
});
