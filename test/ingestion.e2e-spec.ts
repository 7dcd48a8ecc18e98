import { api, firstRunTenant, serviceAccount, Tenant } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';
import { ingestAndWait, scoreOf } from './support/ingest';

describe('Ingestion: events in, scores out', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: Awaited<ReturnType<typeof serviceAccount>>;
  const as = () => api(t, sa.auth);

  beforeAll(async () => {
    t = await startTestApp();
    a = await firstRunTenant(t);
    sa = await serviceAccount(t, a, 'ingest-pipeline');
    await as().post('/org-units/active', { ouId: 'unit_default' }).expect(200);
  });
  afterAll(() => t.close());

  it('runs the overview quick start: an alias creates the lead and its event scores', async () => {
    const rs = await as().post('/rulesets', { name: 'Main' }).expect(201);
    await as().post('/rules', { ruleset_id: rs.body.ruleset_id, event_type: 'Page View', weight: 10 }).expect(201);
    const res = await as().post('/ingest', { alias_kind: 'email', alias: 'User@Example.com ', event_type: 'Page View' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ message: 'event ingested', accepted: 1, metadata: {} });
    await ingestAndWait(t, sa.auth, { aliases: [{ alias_kind: 'email', raw_value: 'user@example.com' }], event_type: 'page_view' });
    const events = await as().get('/events').expect(200);
    expect(events.body.total).toBe(2);
    const leadId = events.body.events[0].lead_id;
    expect(events.body.events[1].lead_id).toBe(leadId);
    expect(await scoreOf(t, sa.auth, leadId)).toBe(20);
  });
});
