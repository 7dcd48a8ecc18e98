import { api, ServiceAccount, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { ago as at, D, H, NOW } from './support/time';
import { emailAliases as email, ingestAndWait } from './support/ingest';
import { LeadFilterQueryDto, LeadReadsService } from '../src/modules/leads';
import { RequestContext } from '../src/platform/tenancy/request-context';

function csvRows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

describe('Lead reads: list, export, search, batch scores, score with disqualification state', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  let main: string;
  let second: string;
  const ids: Record<string, string> = {};

  const list = async (query = '') => (await as().get(`/leads${query}`).expect(200)).body;
  const names = (body: { leads: { lead_id: string }[] }) => body.leads.map((l) => Object.keys(ids).find((k) => ids[k] === l.lead_id));

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ rival: 'Lead Readers Rivals', serviceAccount: 'lead-reads' }));
    main = (await as().post('/rulesets', { name: 'Main' }).expect(201)).body.ruleset_id;
    second = (await as().post('/rulesets', { name: 'Webinars' }).expect(201)).body.ruleset_id;
    await as().post('/rules', { ruleset_id: main, event_type: 'Page View', weight: 10 }).expect(201);
    await as().post('/rules', { ruleset_id: main, event_type: 'Email Open', weight: 2 }).expect(201);
    await as().post('/rules', { ruleset_id: second, event_type: 'Webinar', weight: 5 }).expect(201);
    await as().post('/rules', { ruleset_id: second, event_type: 'Page View', weight: 1 }).expect(201);

    // bob is created ten days before the others and has been quiet since
    t.clock.set(new Date(NOW.getTime() - 10 * D));
    await ingestAndWait(t, sa.auth, [{ ...email('bob@example.com'), event_type: 'Email Open', timestamp: at(10 * D + H) }]);
    t.clock.set(NOW);
    await ingestAndWait(t, sa.auth, [
      { ...email('Alice@Example.com'), event_type: 'Page View', timestamp: at(5 * H) },
      { ...email('alice@example.com'), event_type: 'Page View', timestamp: at(4 * H) },
      { ...email('alice@example.com'), event_type: 'Page View', timestamp: at(3 * H) },
      { ...email('carol@example.com'), event_type: 'Webinar', timestamp: at(2 * H + 1000) },
      { ...email('carol@example.com'), event_type: 'Webinar', timestamp: at(2 * H) },
      { ...email('dave@example.com'), event_type: 'Page View', timestamp: at(H) },
    ]);
    const all = await list('?limit=10');
    for (const l of all.leads) ids[l.alias.split('@')[0]] = l.lead_id;
    await ingestAndWait(t, b.admin, [{ ...email('eve@rival.example'), event_type: 'Page View', timestamp: at(H) }]);
  });
  afterAll(() => t.close());

  it('lists the OU’s leads by engagement score (primary ruleset) with every item field and the exact total', async () => {
    const body = await list();
    expect(body).toMatchObject({ total: 4, page: 1, limit: 50, total_exact: true });
    expect(names(body)).toEqual(['alice', 'dave', 'bob', 'carol']);
    const alice = body.leads[0];
    expect(alice).toMatchObject({
      org_id: a.orgId,
      unit_id: 'unit_default',
      lead_id: ids.alice,
      alias: 'alice@example.com',
      score: 30,
      ruleset_id: main,
      engagement_scores: { [main]: 30, [second]: 3 },
      profile_scores: {},
      ruleset_names: { [main]: 'Main', [second]: 'Webinars' },
      engagement_primary_ruleset_name: 'Main',
      profile_primary_ruleset_name: null,
      engagement_level: null,
      profile_level: null,
      disqualified: false,
      owner_name: null,
      last_event_at: at(3 * H),
      last_event_type: 'Page View',
      event_count: 3,
    });
    expect(body.leads[3]).toMatchObject({ alias: 'carol@example.com', score: 0, engagement_scores: { [second]: 10 }, last_event_type: 'Webinar' });
    expect(new Date(alice.created_at).toISOString()).toBe(alice.created_at);
  });

  it('pages with an unchanged total', async () => {
    const p2 = await list('?limit=2&page=2');
    expect(p2).toMatchObject({ total: 4, page: 2, limit: 2 });
    expect(names(p2)).toEqual(['bob', 'carol']);
    expect((await list('?limit=2&page=3')).leads).toEqual([]);
  });

  it('filters by score (the displayed score, inclusive), last event type, activity, creation range; include_disqualified changes nothing', async () => {
    expect(names(await list('?min_score=10'))).toEqual(['alice', 'dave']);
    expect(names(await list('?max_score=9'))).toEqual(['bob', 'carol']);
    const both = await list('?min_score=2&max_score=10');
    expect(names(both)).toEqual(['dave', 'bob']);
    expect(both.total).toBe(2);
    expect(names(await list('?event_type=page_view'))).toEqual(['alice', 'dave']);
    expect(names(await list('?event_type=Webinar'))).toEqual(['carol']);
    expect(names(await list('?last_active=7d'))).toEqual(['alice', 'dave', 'carol']);
    expect((await list('?last_active=30d')).total).toBe(4);
    expect(names(await list('?range=last_7d'))).toEqual(['alice', 'dave', 'carol']);
    expect(names(await list('?range=today')).sort()).toEqual(['alice', 'carol', 'dave']);
    expect((await list('?range=yesterday')).total).toBe(0);
    expect((await list('?range=all&include_disqualified=true')).total).toBe(4);
    expect((await list('?include_disqualified=false')).total).toBe(4);
  });

  it('sorts by score, creation and last activity in both orders', async () => {
    expect(names(await list('?sort_by=score&sort_order=asc'))).toEqual(['carol', 'bob', 'dave', 'alice']);
    expect(names(await list('?sort_by=created_at&sort_order=asc'))[0]).toBe('bob');
    expect(names(await list('?sort_by=created_at'))[3]).toBe('bob');
    expect(names(await list('?sort_by=last_event_at'))).toEqual(['dave', 'carol', 'alice', 'bob']);
    expect(names(await list('?sort_by=last_event_at&sort_order=asc'))).toEqual(['bob', 'alice', 'carol', 'dave']);
  });

  it('answers 400 naming the field for bad parameters', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['page=0', 'page'],
      ['range=last_year', 'range'],
      ['min_score=high', 'min_score'],
      ['max_score=1.5', 'max_score'],
      ['last_active=1d', 'last_active'],
      ['include_disqualified=maybe', 'include_disqualified'],
      ['sort_by=name', 'sort_by'],
      ['sort_order=up', 'sort_order'],
    ]) {
      const res = await as().get(`/leads?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    const exp = await as().get('/leads/export?sort_order=sideways');
    expect(exp.status).toBe(400);
    expect(exp.body.details[0].field).toBe('sort_order');
  });

  it('shows another OU only its own leads', async () => {
    const theirs = (await api(t, b.admin).get('/leads').expect(200)).body;
    expect(theirs.total).toBe(1);
    expect(theirs.leads[0]).toMatchObject({
      alias: 'eve@rival.example',
      score: 0,
      ruleset_id: null,
      engagement_primary_ruleset_name: null,
      engagement_scores: {},
    });
  });

  it('exports the filtered, sorted leads as CSV with the documented columns', async () => {
    const res = await as().get('/leads/export').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="leads-unit_default\.csv"/);
    const rows = csvRows(res.text);
    expect(rows[0]).toEqual([
      'lead_id',
      'alias',
      'engagement_score',
      'profile_score',
      'engagement_level',
      'profile_level',
      'account',
      'owner',
      'last_activity',
      'created_at',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual([ids.alice, ids.dave, ids.bob, ids.carol]);
    // profile_score 0: the OU has no profile rules
    expect(rows[1]).toEqual([ids.alice, 'alice@example.com', '30', '0', '', '', '', '', at(3 * H), expect.any(String)]);
    const filtered = csvRows((await as().get('/leads/export?min_score=10&sort_by=score&sort_order=asc').expect(200)).text);
    expect(filtered.slice(1).map((r) => r[0])).toEqual([ids.dave, ids.alice]);
    expect(
      csvRows((await as().get('/leads/export?search=car').expect(200)).text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([ids.carol]);
    expect(csvRows((await as().get('/leads/export?engagement_level=Hot').expect(200)).text)).toHaveLength(1);
    expect(
      csvRows((await api(t, b.admin).get('/leads/export').expect(200)).text)
        .slice(1)
        .map((r) => r[1]),
    ).toEqual(['eve@rival.example']);
  });

  it('exports in keyset chunks without losing or repeating a lead, in the list’s order for every sort', async () => {
    const svc = t.app.get(LeadReadsService);
    for (const q of [
      {},
      { sort_by: 'created_at' },
      { sort_by: 'last_event_at', sort_order: 'asc' },
      { sort_by: 'score', sort_order: 'asc' },
      { sort_by: 'last_event_at' },
    ] as LeadFilterQueryDto[]) {
      const chunks = await RequestContext.run({ orgId: a.orgId, unitId: 'unit_default' }, async () => {
        const out: string[][] = [];
        for await (const chunk of svc.export(q, 1)) out.push(chunk.map((r) => r.lead_id));
        return out;
      });
      const query = new URLSearchParams(q as Record<string, string>).toString();
      expect(chunks.every((c) => c.length === 1)).toBe(true);
      expect(chunks.flat()).toEqual((await list(`?${query}`)).leads.map((l: { lead_id: string }) => l.lead_id));
    }
  });

  it('searches by lead-id prefix or alias prefix, at most 10, 400 under 2 characters', async () => {
    const byAlias = (await as().get('/leads/search?q=ALI').expect(200)).body;
    expect(byAlias).toEqual([expect.objectContaining({ lead_id: ids.alice, alias: 'alice@example.com', matched_alias: 'alice@example.com', score: 30 })]);
    const byId = (
      await as()
        .get(`/leads/search?q=${ids.dave.slice(0, -2)}`)
        .expect(200)
    ).body;
    expect(byId).toEqual([expect.objectContaining({ lead_id: ids.dave, alias: 'dave@example.com', matched_alias: null })]);
    expect((await as().get('/leads/search?q=ld_').expect(200)).body.length).toBe(4);
    expect((await as().get('/leads/search?q=%25%25').expect(200)).body).toEqual([]);
    const short = await as().get('/leads/search?q=a');
    expect(short.status).toBe(400);
    expect(short.body.details[0].field).toBe('q');
    expect((await as().get('/leads/search')).status).toBe(400);
    expect((await api(t, b.admin).get('/leads/search?q=alice').expect(200)).body).toEqual([]);
  });

  it('batch scores: primary by default, a ruleset by id or name, unknown leads left out, bounds checked', async () => {
    const primary = (
      await as()
        .post('/leads/scores', { lead_ids: [ids.carol, ids.alice, 'ld_nobody', ids.alice] })
        .expect(200)
    ).body;
    expect(primary).toEqual([
      { lead_id: ids.carol, score: 0, ruleset_id: main },
      { lead_id: ids.alice, score: 30, ruleset_id: main },
    ]);
    expect(
      (
        await as()
          .post('/leads/scores', { lead_ids: [ids.alice, ids.carol], ruleset: 'Webinars' })
          .expect(200)
      ).body,
    ).toEqual([
      { lead_id: ids.alice, score: 3, ruleset_id: second },
      { lead_id: ids.carol, score: 10, ruleset_id: second },
    ]);
    expect(
      (
        await as()
          .post('/leads/scores', { lead_ids: [ids.carol], ruleset: second })
          .expect(200)
      ).body[0].score,
    ).toBe(10);
    expect(
      (
        await as()
          .post('/leads/scores', { lead_ids: [ids.carol], ruleset: 'primary' })
          .expect(200)
      ).body[0].score,
    ).toBe(0);
    expect((await as().post('/leads/scores', { lead_ids: [ids.carol], ruleset: 'Nope' })).status).toBe(404);
    for (const [body, field] of [
      [{}, 'lead_ids'],
      [{ lead_ids: [] }, 'lead_ids'],
      [{ lead_ids: Array.from({ length: 501 }, (_, i) => `ld_${i}`) }, 'lead_ids'],
      [{ lead_ids: [ids.alice], ruleset: 7 }, 'ruleset'],
    ] as const) {
      const res = await as().post('/leads/scores', body);
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toMatch(new RegExp(`^${field}`));
    }
    // another OU sees none of A's leads; its own OU has no primary ruleset: every score 0
    expect(
      (
        await api(t, b.admin)
          .post('/leads/scores', { lead_ids: [ids.alice] })
          .expect(200)
      ).body,
    ).toEqual([]);
    const eve = (await api(t, b.admin).get('/leads').expect(200)).body.leads[0].lead_id;
    expect(
      (
        await api(t, b.admin)
          .post('/leads/scores', { lead_ids: [eve] })
          .expect(200)
      ).body,
    ).toEqual([{ lead_id: eve, score: 0, ruleset_id: null }]);
  });

  it('GET /leads/{leadID}/score: the GET /score/{leadID} score (highest active ruleset) with the disqualification state', async () => {
    const carol = (await as().get(`/leads/${ids.carol}/score`).expect(200)).body;
    expect(carol).toEqual({
      lead_id: ids.carol,
      score: 10,
      ruleset_id: second,
      disqualified: false,
      disqualified_by_rule_id: null,
      disqualified_at: null,
      disqualified_reason: null,
      // no profile ruleset in this OU: a fit score of 0 in no profile level
      profile_score: 0,
      profile_level: null,
    });
    expect((await as().get(`/score/${ids.carol}`).expect(200)).body).toMatchObject({ lead_id: ids.carol, score: 10, ruleset_id: second });
    expect((await as().get(`/leads/${ids.alice}/score`).expect(200)).body.score).toBe(30);
    expect((await api(t, b.admin).get(`/leads/${ids.alice}/score`)).status).toBe(404);
    expect((await as().get('/leads/ld_nobody/score')).status).toBe(404);
  });

  it('the list follows a change of primary ruleset, and shows 0 when the OU has none', async () => {
    const fresh = (await as().post('/rulesets', { name: 'Fresh', is_primary: true }).expect(201)).body.ruleset_id;
    const after = await list();
    expect(after.leads.map((l: { score: number }) => l.score)).toEqual([0, 0, 0, 0]);
    expect(after.leads[0]).toMatchObject({ ruleset_id: fresh, engagement_primary_ruleset_name: 'Fresh' });
    expect((await list('?min_score=1')).total).toBe(0);
    await as()
      .delete(`/rulesets/${fresh}`)
      .expect((r) => expect([200, 204]).toContain(r.status));
    const none = await list('?sort_by=created_at');
    expect(none.leads.every((l: { score: number; ruleset_id: string | null }) => l.score === 0 && l.ruleset_id === null)).toBe(true);
    expect(
      (
        await as()
          .post('/leads/scores', { lead_ids: [ids.alice] })
          .expect(200)
      ).body,
    ).toEqual([{ lead_id: ids.alice, score: 0, ruleset_id: null }]);
  });
});
