import request from 'supertest';
import { DataSource } from 'typeorm';
import { api, memberWithRole, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

const STEPS = ['connect_integration', 'create_scoring_rules', 'set_engagement_levels'];

describe('Onboarding status (ONB-1..3)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ rival: 'Other Org' }));
    await api(t, a.admin).post('/org-units/active', { ouId: a.unitId }).expect(200);
  });
  afterAll(() => t.close());

  const status = async (path = '/onboarding/status', tenant = a) => (await api(t, tenant.admin).get(path).expect(200)).body;
  const done = (s: { steps: { id: string; completed: boolean }[] }) => s.steps.filter((x) => x.completed).map((x) => x.id);

  it('starts with nothing done, the three steps in order, at both paths', async () => {
    const s = await status();
    expect(s).toEqual({
      steps: [
        { id: 'connect_integration', label: 'Connect an integration', completed: false, action_path: '/settings/integrations' },
        { id: 'create_scoring_rules', label: 'Create your first scoring rule', completed: false, action_path: '/configure/scoring/engagement' },
        { id: 'set_engagement_levels', label: 'Set up engagement levels', completed: false, action_path: '/configure/levels/engagement' },
      ],
      all_complete: false,
      completed_count: 0,
      total_count: 3,
    });
    expect(await status('/onboarding-status')).toEqual(s);
  });

  it('flips each step as the OU gets a rule, an engagement level and a Teams channel; other OUs stay as they are', async () => {
    const ruleset = (await api(t, a.admin).post('/rulesets', { name: 'First' }).expect(201)).body.ruleset_id;
    expect(done(await status())).toEqual([]); // a ruleset without a rule is not a scoring rule
    await api(t, a.admin).post('/rules', { ruleset_id: ruleset, event_type: 'Demo Request', weight: 10 }).expect(201);
    await eventually(async () => done(await status()).includes('create_scoring_rules'));
    expect(done(await status())).toEqual(['create_scoring_rules']);

    await api(t, a.admin).post('/profile-scoring/levels', { name: 'Profile only', min_score: 0, max_score: 9 }).expect(201);
    expect(done(await status())).toEqual(['create_scoring_rules']); // a profile level is not an engagement level
    await api(t, a.admin).post('/engagement-scoring/levels', { name: 'Cold', min_score: 0, max_score: 9 }).expect(201);
    expect(done(await status())).toEqual(['create_scoring_rules', 'set_engagement_levels']);

    await api(t, a.admin)
      .post('/notification-channels', { name: 'Hooks', type: 'webhook', config: { url: 'https://hooks.example.com/a' } })
      .expect(201);
    expect((await status()).completed_count).toBe(2); // a plain webhook is not an integration
    await api(t, a.admin)
      .post('/notification-channels', { name: 'Teams', type: 'teams', config: { webhook_url: 'https://example.webhook.office.com/x', channel_name: 'Sales' } })
      .expect(201);
    const all = await status();
    expect([done(all), all.completed_count, all.all_complete]).toEqual([STEPS, 3, true]);
    expect(await status('/onboarding-status')).toEqual(all);

    // another organization and another OU of this one see only their own data
    expect((await status('/onboarding/status', b)).completed_count).toBe(0);
    const unit2 = (await api(t, a.admin).post('/org-units', { name: 'Second' }).expect(201)).body.unit_id;
    const owner2 = await memberWithRole(t, a, 'owner2@first.example', 'Owner', unit2);
    expect((await api(t, owner2.auth).get('/onboarding/status').expect(200)).body.completed_count).toBe(0);
  });

  it('counts a Slack workspace installed in the OU as a connected integration', async () => {
    expect(done(await status('/onboarding/status', b))).toEqual([]);
    // the row the Slack OAuth callback stores (the install flow itself is covered by slack.e2e-spec.ts)
    await t.app
      .get(DataSource)
      .query(`INSERT INTO slack_connections (unit_id, org_id, team_id, bot_token_enc, created_at, updated_at) VALUES ($1, $2, 'T1', 'sealed', now(), now())`, [
        b.unitId,
        b.orgId,
      ]);
    expect(done(await status('/onboarding/status', b))).toEqual(['connect_integration']);
  });

  it('counts HubSpot as a connected integration once its OAuth is done, not on saved app credentials or a revoked connection', async () => {
    const unit = (await api(t, a.admin).post('/org-units', { name: 'CRM only' }).expect(201)).body.unit_id;
    const owner = await memberWithRole(t, a, 'owner3@first.example', 'Owner', unit);
    const integration = async () =>
      (await api(t, owner.auth).get('/onboarding/status').expect(200)).body.steps.find((x: { id: string }) => x.id === 'connect_integration').completed;
    // BYO credentials saved through the API: a row, but no connection yet
    await api(t, owner.auth).post('/settings/ou/hubspot/credentials', { client_id: 'byo-id', client_secret: 'byo-secret-12345' }).expect(200);
    const [row] = await t.app.get(DataSource).query(`SELECT status FROM hubspot_connections WHERE unit_id = $1`, [unit]);
    expect(row.status).toBe('disconnected');
    expect(await integration()).toBe(false);
    // the state the OAuth callback leaves (the round trip itself is covered by hubspot.e2e-spec.ts)
    await t.app.get(DataSource).query(`UPDATE hubspot_connections SET status = 'connected' WHERE unit_id = $1`, [unit]);
    expect(await integration()).toBe(true);
    // HubSpot revoked the access: broken, not connected
    await t.app.get(DataSource).query(`UPDATE hubspot_connections SET status = 'broken' WHERE unit_id = $1`, [unit]);
    expect(await integration()).toBe(false);
  });

  it('a Viewer reads it; no credential is 401', async () => {
    const viewer = await memberWithRole(t, a, 'viewer@first.example', 'Viewer');
    expect((await api(t, viewer.auth).get('/onboarding/status').expect(200)).body.total_count).toBe(3);
    await request(t.http).get('/onboarding/status').expect(401);
    await request(t.http).get('/onboarding-status').expect(401);
  });
});
