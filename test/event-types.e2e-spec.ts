import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { activateOu, api, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { ingestAndWait, leadOfEvent, scoreOf } from './support/ingest';

/** Distinct timestamps a minute apart (same-type events of a lead within 2 s collapse as machine fan-out). */
let minute = 0;
const at = () => new Date(Date.UTC(2026, 0, 5, 9, 0, 0) + minute++ * 60_000).toISOString();

describe('Event types and the metadata filter preview', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const ev = (alias: string, event_type: string, metadata: object = {}) => ({
    aliases: [{ alias_kind: 'email', raw_value: alias }],
    event_type,
    timestamp: at(),
    metadata,
  });
  const leadOf = (eventId: string): Promise<string> => leadOfEvent(t, sa.auth, eventId);
  const settings = async () =>
    (await as().get('/settings/ou/event-types').expect(200)).body as {
      key: string;
      name: string;
      hidden: boolean;
      max_processing_scope: string;
      ou_event_count: number;
    }[];
  const rowOf = async (key: string) => (await settings()).find((r) => r.key === key);
  let rulesetId: string;

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ rival: 'Event Type Rivals', serviceAccount: 'event-types' }));
    await activateOu(t, a.admin, a.unitId);
    rulesetId = (await as().post('/rulesets', { name: 'Main' }).expect(201)).body.ruleset_id;
    // scores here are sums of rule weights: surge session multipliers have their own spec (surge-policy)
    await as().put('/settings/ou/surge-session-policy', { mode: 'off' }).expect(200);
  });
  afterAll(() => t.close());

  it('lists the OU’s types in Title Case, merging spellings and including types only rules reference', async () => {
    await as().post('/rules', { ruleset_id: rulesetId, event_type: 'demo request', weight: 50 }).expect(201);
    await ingestAndWait(t, sa.auth, [
      ev('lister@example.com', 'Page View', { path: '/home', referrer: 'google' }),
      ev('lister@example.com', 'page_view', { utm_source: 'mail' }),
      ev('lister@example.com', 'email-click', { link: 'x' }),
    ]);
    expect((await as().get('/event-types').expect(200)).body).toEqual(['Demo Request', 'Email Click', 'Page View']);
    const rows = await settings();
    expect(rows.map((r) => [r.name, r.key, r.ou_event_count, r.hidden, r.max_processing_scope])).toEqual([
      ['Demo Request', 'demo_request', 0, false, 'activate'],
      ['Email Click', 'email_click', 1, false, 'activate'],
      ['Page View', 'page_view', 2, false, 'activate'],
    ]);
    expect(rows[2]).toMatchObject({ protected: false, deletable: true, first_seen: expect.any(String), last_seen: expect.any(String) });
    expect(rows[0]).toMatchObject({ first_seen: null, last_seen: null });
  });

  it('lists the distinct metadata keys of a type, in any spelling; unknown types are 404', async () => {
    const props = await as().get('/event-types/page-view/properties').expect(200);
    expect(props.body).toEqual({ event_type: 'Page View', properties: ['path', 'referrer', 'utm_source'] });
    expect((await as().get('/event-types/Demo%20Request/properties').expect(200)).body).toEqual({ event_type: 'Demo Request', properties: [] });
    const unknown = await as().get('/event-types/Never%20Seen/properties');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('event_type_not_found');
  });

  it('hides a type: it leaves the picker, rules stop scoring new events of it, old points stay', async () => {
    await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Page View', weight: 10 }).expect(201);
    const [first] = await ingestAndWait(t, sa.auth, ev('hidden@example.com', 'Page View'));
    const lead = await leadOf(first);
    expect(await scoreOf(t, sa.auth, lead)).toBe(10);

    const put = await as().put('/settings/ou/event-types/page_view', { hidden: true }).expect(200);
    expect(put.body).toMatchObject({ name: 'Page View', key: 'page_view', hidden: true, max_processing_scope: 'activate', ou_event_count: 3 });
    expect((await as().get('/event-types')).body).toEqual(['Demo Request', 'Email Click']);
    expect((await rowOf('page_view'))!.hidden).toBe(true);

    const [second] = await ingestAndWait(t, sa.auth, ev('hidden@example.com', 'Page View'));
    expect((await as().get(`/events/${encodeURIComponent(lead)}`)).body.events.map((e: { id: string }) => e.id)).toContain(second);
    expect(await scoreOf(t, sa.auth, lead)).toBe(10);

    // a partial update keeps the other field; visible again, new events score again
    expect((await as().put('/settings/ou/event-types/Page%20View', { max_processing_scope: 'decide' }).expect(200)).body).toMatchObject({
      hidden: true,
      max_processing_scope: 'decide',
    });
    await as().put('/settings/ou/event-types/Page%20View', { hidden: false, max_processing_scope: 'activate' }).expect(200);
    await ingestAndWait(t, sa.auth, ev('hidden@example.com', 'Page View'));
    expect(await scoreOf(t, sa.auth, lead)).toBe(20);
    expect((await as().get('/event-types')).body).toContain('Page View');
  });

  it('observe scope stores events without scoring them; a type can be configured before it is seen', async () => {
    await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Webinar Join', weight: 30 }).expect(201);
    const put = await as().put('/settings/ou/event-types/Webinar%20Join', { max_processing_scope: 'observe' }).expect(200);
    expect(put.body).toMatchObject({ key: 'webinar_join', hidden: false, max_processing_scope: 'observe', ou_event_count: 0 });
    const registered = await as().put('/settings/ou/event-types/Trial%20Signup', {}).expect(200);
    expect(registered.body).toMatchObject({ name: 'Trial Signup', hidden: false, max_processing_scope: 'activate', ou_event_count: 0 });
    expect((await as().get('/event-types')).body).toContain('Trial Signup');

    const [id] = await ingestAndWait(t, sa.auth, ev('observer@example.com', 'webinar_join', { topic: 'scoring' }));
    const lead = await leadOf(id);
    expect((await as().get(`/events/${encodeURIComponent(lead)}`)).body.events).toEqual([
      expect.objectContaining({ id, event_type: 'webinar_join', suppressed: null }),
    ]);
    expect(await scoreOf(t, sa.auth, lead)).toBe(0);
    expect((await rowOf('webinar_join'))!.ou_event_count).toBe(1);
  });

  it('deletes the events of a type through the leads’ streams: preview, delete, scores drop, leads stay', async () => {
    await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Form Submit', weight: 7 }).expect(201);
    const ids = await ingestAndWait(t, sa.auth, [
      ev('deleter@example.com', 'Form Submit', { form: 'a' }),
      ev('deleter@example.com', 'form_submit', { form: 'b' }),
      ev('deleter@example.com', 'Page View'),
    ]);
    const lead = await leadOf(ids[0]);
    expect(await scoreOf(t, sa.auth, lead)).toBe(24);

    expect((await as().get('/settings/ou/event-types/Form%20Submit/delete-preview').expect(200)).body).toEqual({ events_count: 2, event_scores_count: 2 });
    const deleted = await as().delete('/settings/ou/event-types/form-submit/events').expect(200);
    expect(deleted.body).toEqual({ events_deleted: 2, event_scores_deleted: 2 });

    await eventually(async () => (await scoreOf(t, sa.auth, lead)) === 10);
    const events = (
      await as()
        .get(`/events/${encodeURIComponent(lead)}`)
        .expect(200)
    ).body.events;
    expect(events.map((e: { id: string }) => e.id)).toEqual([ids[2]]);
    expect((await as().get('/events?limit=500')).body.events.filter((e: { event_type: string }) => /form/i.test(e.event_type))).toEqual([]);
    expect((await rowOf('form_submit'))!.ou_event_count).toBe(0);
    expect((await as().get('/settings/ou/event-types/Form%20Submit/delete-preview').expect(200)).body).toEqual({ events_count: 0, event_scores_count: 0 });
    await t.app.get(AuditWriter).flush(); // audit rows are written in batches
    const audit = await api(t, a.admin).get('/audit-logs').expect(200);
    expect(JSON.stringify(audit.body)).toContain("deleted 2 event(s) of type 'Form Submit'");
  });

  it('refuses to delete protected system types (409) and unknown types (404)', async () => {
    const decay = await as().put('/settings/ou/event-types/DECAY', {}).expect(200);
    expect(decay.body).toMatchObject({ key: 'decay', protected: true, deletable: false });
    for (const res of [await as().get('/settings/ou/event-types/DECAY/delete-preview'), await as().delete('/settings/ou/event-types/decay/events')]) {
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('protected_event_type');
    }
    expect((await as().delete('/settings/ou/event-types/No%20Such%20Type/events')).status).toBe(404);
    expect((await as().get('/settings/ou/event-types/No%20Such%20Type/delete-preview')).status).toBe(404);
  });

  it('previews exactly what a metadata filter then suppresses, and counts it per filter', async () => {
    const batch = () => [
      ev('preview@example.com', 'Page View', { campaign: 'MF-Test', path: '/pricing' }),
      ev('preview@example.com', 'Page View', { campaign: 'mf-test', path: '/Pricing/enterprise' }),
      ev('preview@example.com', 'Page View', { campaign: 'mf-test', path: '/docs' }),
      ev('preview@example.com', 'Email Click', { campaign: 'mf-test', path: '/pricing' }),
    ];
    await ingestAndWait(t, sa.auth, batch());
    const conditions = [
      { key: 'campaign', operator: 'equals', value: 'mf-test' },
      { key: 'path', operator: 'contains', value: '/pricing' },
    ];
    const typed = await as().post('/metadata-filters/preview', { event_type: 'page_view', conditions }).expect(200);
    expect(typed.body).toEqual({ count: 2 });
    expect((await as().post('/metadata-filters/preview', { conditions }).expect(200)).body).toEqual({ count: 3 });
    expect(
      (
        await as()
          .post('/metadata-filters/preview', {
            event_type: '',
            conditions: [
              { key: 'campaign', operator: 'not_exists' },
              { key: 'nothing', operator: 'exists' },
            ],
          })
          .expect(200)
      ).body,
    ).toEqual({ count: 0 });

    const filter = (await as().post('/metadata-filters', { name: 'Pricing campaign', event_type: 'Page View', conditions }).expect(201)).body;
    expect(filter.suppressed_count).toBe(0);
    await ingestAndWait(t, sa.auth, batch());
    const got = await as().get(`/metadata-filters/${filter.id}`).expect(200);
    expect(got.body.suppressed_count).toBe(typed.body.count);
    const listed = (await as().get('/metadata-filters').expect(200)).body.find((f: { id: string }) => f.id === filter.id);
    expect(listed.suppressed_count).toBe(2);
    const suppressed = (await as().get('/events?limit=500')).body.events.filter((e: { suppressed: string | null }) => e.suppressed === 'metadata_filter');
    expect(suppressed).toHaveLength(2);
    // nothing was persisted by the previews: only the real filter exists
    expect((await as().get('/metadata-filters')).body).toHaveLength(1);
  });

  it('lets a Viewer preview (a dry run) but not change settings', async () => {
    const viewer = (await memberWithRole(t, a, 'viewer@first.example', 'Viewer')).auth;
    expect((await api(t, viewer).post('/metadata-filters/preview', { conditions: [{ key: 'campaign', operator: 'exists' }] })).status).toBe(200);
    expect((await api(t, viewer).get('/settings/ou/event-types')).status).toBe(200);
    expect((await api(t, viewer).put('/settings/ou/event-types/Page%20View', { hidden: true })).status).toBe(403);
    expect((await api(t, viewer).delete('/settings/ou/event-types/Page%20View/events')).status).toBe(403);
  });

  it('keeps other organizations out: they see nothing and get 404 on the by-type routes', async () => {
    const intruder = api(t, b.admin);
    expect((await intruder.get('/event-types').expect(200)).body).toEqual([]);
    expect((await intruder.get('/settings/ou/event-types').expect(200)).body).toEqual([]);
    expect((await intruder.get('/event-types/Page%20View/properties')).status).toBe(404);
    expect((await intruder.get('/settings/ou/event-types/Page%20View/delete-preview')).status).toBe(404);
    expect((await intruder.delete('/settings/ou/event-types/Page%20View/events')).status).toBe(404);
    expect((await intruder.post('/metadata-filters/preview', { conditions: [{ key: 'campaign', operator: 'exists' }] }).expect(200)).body).toEqual({
      count: 0,
    });
    // their own PUT registers the type in their OU only
    await intruder.put('/settings/ou/event-types/Page%20View', { hidden: true }).expect(200);
    expect((await as().get('/event-types')).body).toContain('Page View');
    expect((await rowOf('page_view'))!.hidden).toBe(false);
  });

  it('needs a credential (401) and names the field of a bad body (400)', async () => {
    expect((await api(t).get('/event-types')).status).toBe(401);
    expect((await api(t).get('/settings/ou/event-types')).status).toBe(401);
    expect((await api(t).post('/metadata-filters/preview', { conditions: [] })).status).toBe(401);
    const field = async (res: { status: number; body: { details?: { field: string }[] } }) => {
      expect(res.status).toBe(400);
      return [...new Set(res.body.details!.map((d) => d.field))];
    };
    expect(await field(await as().put('/settings/ou/event-types/Page%20View', { max_processing_scope: 'sometimes' }))).toEqual(['max_processing_scope']);
    expect(await field(await as().put('/settings/ou/event-types/Page%20View', { hidden: 'yes' }))).toEqual(['hidden']);
    expect(await field(await as().put('/settings/ou/event-types/---', { hidden: true }))).toEqual(['eventType']);
    expect(await field(await as().get('/event-types/%20/properties'))).toEqual(['eventType']);
    expect(await field(await as().post('/metadata-filters/preview', {}))).toEqual(['conditions']);
    expect(await field(await as().post('/metadata-filters/preview', { conditions: [] }))).toEqual(['conditions']);
    expect((await field(await as().post('/metadata-filters/preview', { conditions: [{ key: 'a', operator: 'like', value: 'x' }] })))[0]).toMatch(/^conditions/);
    expect(await field(await as().post('/metadata-filters/preview', { event_type: 5, conditions: [{ key: 'a', operator: 'exists' }] }))).toEqual([
      'event_type',
    ]);
  });
});
