import { DataSource } from 'typeorm';
import { recomputeLeadScores } from '../src/modules/scoring';
import { api, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { ago, D, H, NOW } from './support/time';
import { emailAliases, ingest, ingestAndWait, leadOfEvent, processed, scoreOf } from './support/ingest';

describe('Ingestion and engagement scoring: events in, exact scores out', () => {
  let t: TestApp;
  let a: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const ruleset = (name: string, rules: object[]) => createRuleset(t, sa.auth, name, rules);
  const email = emailAliases;
  const leadOf = (eventId: string) => leadOfEvent(t, sa.auth, eventId);
  const eventsOf = async (leadId: string) =>
    (await as().get(`/events/${leadId}?limit=100`).expect(200)).body.events as { id: string; suppressed: string | null; event_type: string }[];

  beforeAll(async () => {
    // three lead partitions: every test here also checks that splitting a batch by lead keeps each lead exact and in order
    ({ t, a, sa } = await startScenario({ now: NOW, serviceAccount: 'ingest-pipeline', env: { INGEST_PARTITIONS: 3 } }));
    // every event here earns exactly its rule weight: surge session multipliers have their own spec (surge-policy)
    await as().put('/settings/ou/surge-session-policy', { mode: 'off' }).expect(200);
  });
  afterAll(() => t.close());

  it('runs the overview quick start verbatim: the legacy alias pair creates a lead, the aliases form finds it again', async () => {
    await ruleset('Quick start', [{ event_type: 'Page View', weight: 10 }]);
    const res = await as().post('/ingest', { alias_kind: 'email', alias: ' User@Example.com ', event_type: 'Page View', timestamp: ago(2 * H) });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ message: 'event ingested', accepted: 1, event_ids: [expect.any(String)], metadata: {} });
    const [second] = await ingestAndWait(t, sa.auth, { ...email('user@example.com'), event_type: 'page_view', timestamp: ago(H) });
    await processed(t, sa.auth, res.body.event_ids);
    const leadId = await leadOf(second);
    expect(leadId).toMatch(/^ld_/);
    expect(await leadOf(res.body.event_ids[0])).toBe(leadId);
    expect(await scoreOf(t, sa.auth, leadId, 'Quick start')).toBe(20);
  });

  it('keeps an independent score per ruleset; GET /score answers the highest active one', async () => {
    await ruleset('Marketing', [
      { event_type: 'Demo Request', weight: 50 },
      { event_type: 'Webinar View', weight: 10 },
    ]);
    await ruleset('Sales', [
      { event_type: 'Demo Request', weight: 100 },
      { event_type: 'Webinar View', weight: 3 },
    ]);
    const ids = await ingestAndWait(t, sa.auth, [
      { ...email('multi@example.com'), event_type: 'Webinar View', timestamp: ago(3 * H) },
      { ...email('multi@example.com'), event_type: 'Webinar View', timestamp: ago(2 * H) },
      { ...email('multi@example.com'), event_type: 'Demo Request', timestamp: ago(H) },
    ]);
    const leadId = await leadOf(ids[0]);
    expect(await scoreOf(t, sa.auth, leadId, 'Marketing')).toBe(70);
    expect(await scoreOf(t, sa.auth, leadId, 'Sales')).toBe(106);
    const score = await as().get(`/score/${leadId}`).expect(200);
    expect(score.body).toMatchObject({ lead_id: leadId, score: 106 });
    expect(Object.values(score.body.scores).sort((x, y) => Number(x) - Number(y))).toEqual([0, 70, 106]);
  });

  it('floors a negative total at 0 unless the organization allows negative scores', async () => {
    await ruleset('Churn', [
      { event_type: 'Trial Started', weight: 20 },
      { event_type: 'Trial Cancelled', weight: -50 },
    ]);
    const ids = await ingestAndWait(t, sa.auth, [
      { ...email('churn@example.com'), event_type: 'Trial Started', timestamp: ago(2 * H) },
      { ...email('churn@example.com'), event_type: 'Trial Cancelled', timestamp: ago(H) },
    ]);
    const leadId = await leadOf(ids[0]);
    expect(await scoreOf(t, sa.auth, leadId, 'Churn')).toBe(0);
    // organization-wide: a service account (an Operator) may not flip it
    expect((await as().put('/scoring/settings', { allow_negative_scores: true })).status).toBe(403);
    await api(t, a.admin).post('/org-units/active', { ouId: 'unit_default' }).expect(200);
    await api(t, a.admin).put('/scoring/settings', { allow_negative_scores: true }).expect(204);
    expect((await as().get('/scoring/settings').expect(200)).body).toEqual({ allow_negative_scores: true, abm_enabled: false, session_timeout_minutes: 30 });
    expect(await scoreOf(t, sa.auth, leadId, 'Churn')).toBe(-30);
    await api(t, a.admin).put('/scoring/settings', { allow_negative_scores: false }).expect(204);
    expect(await scoreOf(t, sa.auth, leadId, 'Churn')).toBe(0);
    // a later positive event first pays off the negative points earned at the floor
    await ingestAndWait(t, sa.auth, { ...email('churn@example.com'), event_type: 'Trial Started', timestamp: ago(H / 2) });
    expect(await scoreOf(t, sa.auth, leadId, 'Churn')).toBe(0);
    await ingestAndWait(t, sa.auth, { ...email('churn@example.com'), event_type: 'Trial Started', timestamp: ago(H / 4) });
    expect(await scoreOf(t, sa.auth, leadId, 'Churn')).toBe(10);
  });

  it('halves a half-life rule’s points every half-life (event age from the past timestamp, then from the clock)', async () => {
    await ruleset('Decaying', [{ event_type: 'Whitepaper Download', weight: 10, half_life_days: 14 }]);
    const fresh = await ingestAndWait(t, sa.auth, { ...email('fresh@example.com'), event_type: 'Whitepaper Download', timestamp: ago(0) });
    const old = await ingestAndWait(t, sa.auth, { ...email('old@example.com'), event_type: 'Whitepaper Download', timestamp: ago(14 * D) });
    const [freshLead, oldLead] = [await leadOf(fresh[0]), await leadOf(old[0])];
    expect(await scoreOf(t, sa.auth, freshLead, 'Decaying')).toBe(10);
    expect(await scoreOf(t, sa.auth, oldLead, 'Decaying')).toBe(5);
    try {
      t.clock.set(new Date(NOW.getTime() + 14 * D));
      expect(await scoreOf(t, sa.auth, freshLead, 'Decaying')).toBe(5);
      expect(await scoreOf(t, sa.auth, oldLead, 'Decaying')).toBe(3); // 2.5 rounds half up
      t.clock.set(new Date(NOW.getTime() + 76 * D)); // 90 days after the old event: 10 × 0.5^(90/14) ≈ 0.116
      expect(await scoreOf(t, sa.auth, oldLead, 'Decaying')).toBe(0);
    } finally {
      t.clock.set(NOW);
    }
  });

  it('scores a windowed rule only inside [start_at, end_at)', async () => {
    await ruleset('Campaign window', [{ event_type: 'Promo Click', weight: 7, start_at: ago(10 * D), end_at: ago(5 * D) }]);
    const ids = await ingestAndWait(
      t,
      sa.auth,
      [11 * D, 10 * D, 7 * D, 5 * D, D].map((age) => ({ ...email('window@example.com'), event_type: 'Promo Click', timestamp: ago(age) })),
    );
    expect(await scoreOf(t, sa.auth, await leadOf(ids[0]), 'Campaign window')).toBe(14);
  });

  it('suppresses events matching a metadata filter: stored for audit, never scored, never creating a lead', async () => {
    await ruleset('Content', [{ event_type: 'Article Read', weight: 4 }]);
    const filter = (
      await as()
        .post('/metadata-filters', { name: 'Crawlers', conditions: [{ key: 'user_agent', operator: 'contains', value: 'bot' }] })
        .expect(201)
    ).body;
    const [bot] = await ingestAndWait(t, sa.auth, {
      ...email('crawled@example.com'),
      event_type: 'Article Read',
      timestamp: ago(3 * H),
      metadata: { user_agent: 'Googlebot/2.1' },
    });
    const stored = (await as().get('/events?limit=500').expect(200)).body.events.find((e: { id: string }) => e.id === bot);
    expect(stored).toMatchObject({ lead_id: null, suppressed: 'metadata_filter', event_type: 'Article Read' });
    expect((await as().get(`/events/${bot}/score-explain`).expect(200)).body).toMatchObject({
      suppressed: 'metadata_filter',
      filter_id: filter.id,
      rulesets: [],
    });
    const [human] = await ingestAndWait(t, sa.auth, {
      ...email('crawled@example.com'),
      event_type: 'Article Read',
      timestamp: ago(2 * H),
      metadata: { user_agent: 'Mozilla/5.0' },
    });
    const leadId = await leadOf(human);
    const [botAgain] = await ingestAndWait(t, sa.auth, {
      ...email('crawled@example.com'),
      event_type: 'Article Read',
      timestamp: ago(H),
      metadata: { user_agent: 'AhrefsBot' },
    });
    expect(await scoreOf(t, sa.auth, leadId, 'Content')).toBe(4);
    const known = (await as().get('/events?limit=500').expect(200)).body.events.find((e: { id: string }) => e.id === botAgain);
    expect(known).toMatchObject({ lead_id: leadId, suppressed: 'metadata_filter' }); // names the lead it resolved to, still not activity
  });

  it('suppresses velocity bursts: beyond the threshold (inorganic), or all but the first of a burst (grouped)', async () => {
    await ruleset('Email engagement', [
      { event_type: 'Email Click', weight: 5 },
      { event_type: 'Form View', weight: 4 },
    ]);
    await as().post('/filters', { event_type: 'Email Click', count_threshold: 2, time_window_ms: 60_000 }).expect(201);
    await as().post('/filters', { event_type: 'Form View', count_threshold: 2, time_window_ms: 60_000, group_events: true }).expect(201);
    const clicks = await ingestAndWait(
      t,
      sa.auth,
      [50, 40, 30, 20].map((s) => ({ ...email('clicker@example.com'), event_type: 'Email Click', timestamp: ago(s * 1000) })),
    );
    const clicker = await leadOf(clicks[0]);
    expect(await scoreOf(t, sa.auth, clicker, 'Email engagement')).toBe(10);
    const byId = new Map((await eventsOf(clicker)).map((e) => [e.id, e.suppressed]));
    expect(clicks.map((id) => byId.get(id))).toEqual([null, null, 'inorganic', 'inorganic']);

    const views = await ingestAndWait(
      t,
      sa.auth,
      [300, 290, 280].map((s) => ({ ...email('grouped@example.com'), event_type: 'Form View', timestamp: ago(s * 1000) })),
    );
    const grouped = await leadOf(views[0]);
    await eventually(async () => (await eventsOf(grouped)).filter((e) => e.suppressed === 'inorganic_grouped').length === 2);
    const g = new Map((await eventsOf(grouped)).map((e) => [e.id, e.suppressed]));
    expect(views.map((id) => g.get(id))).toEqual([null, 'inorganic_grouped', 'inorganic_grouped']); // the second lost its points retroactively
    expect(await scoreOf(t, sa.auth, grouped, 'Email engagement')).toBe(4);
    // a new burst after the window scores its first event again
    await ingestAndWait(t, sa.auth, { ...email('grouped@example.com'), event_type: 'Form View', timestamp: ago(0) });
    expect(await scoreOf(t, sa.auth, grouped, 'Email engagement')).toBe(8);
  });

  it('resolves aliases: creates a lead once, attaches new aliases, reuses it by any of them, never merges', async () => {
    const [first] = await ingestAndWait(t, sa.auth, {
      aliases: [{ alias_kind: 'email', raw_value: 'Dana@Example.com' }],
      event_type: 'Login',
      timestamp: ago(5 * H),
    });
    const dana = await leadOf(first);
    const [second] = await ingestAndWait(t, sa.auth, {
      aliases: [
        { alias_kind: 'external_id', raw_value: 'crm-777' },
        { alias_kind: 'email', raw_value: 'dana@example.com' },
      ],
      event_type: 'Login',
      timestamp: ago(4 * H),
    });
    expect(await leadOf(second)).toBe(dana);
    const [third] = await ingestAndWait(t, sa.auth, {
      aliases: [{ alias_kind: 'external_id', raw_value: ' crm-777 ' }],
      event_type: 'Login',
      timestamp: ago(3 * H),
    });
    expect(await leadOf(third)).toBe(dana);
    const [byId] = await ingestAndWait(t, sa.auth, { lead_id: dana, event_type: 'Login', timestamp: ago(2 * H) });
    expect(await leadOf(byId)).toBe(dana);
    // two aliases owned by two different leads: the first that resolves wins, no auto-merge
    const [other] = await ingestAndWait(t, sa.auth, { ...email('other@example.com'), event_type: 'Login', timestamp: ago(2 * H) });
    const otherLead = await leadOf(other);
    const [both] = await ingestAndWait(t, sa.auth, {
      aliases: [
        { alias_kind: 'email', raw_value: 'other@example.com' },
        { alias_kind: 'email', raw_value: 'dana@example.com' },
      ],
      event_type: 'Login',
      timestamp: ago(H),
    });
    expect(await leadOf(both)).toBe(otherLead);
    expect((await eventsOf(dana)).length).toBe(4);
  });

  it("applies one lead's events in the order they were accepted", async () => {
    const sent: string[] = [];
    for (let i = 0; i < 15; i++)
      sent.push(...(await ingest(t, sa.auth, { ...email('ordered@example.com'), event_type: 'Step', timestamp: ago(H), metadata: { i } })));
    await processed(t, sa.auth, sent);
    const leadId = await leadOf(sent[0]);
    const [lead] = await t.app.get(DataSource).query(`SELECT id FROM leads WHERE lead_id = $1`, [leadId]);
    const stream = await t.app
      .get(DataSource)
      .query(`SELECT payload->>'event_id' AS id FROM event_store_events WHERE stream_id = $1 AND event_type = 'LeadEventRecorded' ORDER BY stream_version`, [
        lead.id,
      ]);
    expect(stream.map((r: { id: string }) => r.id)).toEqual(sent);
  });

  it('counts a resent event once when it carries a client event_id', async () => {
    await ruleset('Idempotent', [{ event_type: 'Signup', weight: 30 }]);
    const body = { ...email('resend@example.com'), event_type: 'Signup', timestamp: ago(H), event_id: 'client-evt-1' };
    const [one] = await ingest(t, sa.auth, body);
    const [two] = await ingest(t, sa.auth, body);
    const batch = await ingest(t, sa.auth, [body, { ...body, event_id: 'client-evt-2', timestamp: ago(H / 2) }]);
    expect(two).toBe(one);
    expect(batch[0]).toBe(one);
    await processed(t, sa.auth, [one, batch[1]]);
    const leadId = await leadOf(one);
    expect(await scoreOf(t, sa.auth, leadId, 'Idempotent')).toBe(60);
    expect((await eventsOf(leadId)).length).toBe(2);
  });

  it('dry-runs a rule change through the same scoring code: the projection equals the live score after score-now', async () => {
    const rs = await ruleset('Pricing', [{ event_type: 'Pricing View', weight: 10, half_life_days: 30 }]);
    const ids = await ingestAndWait(
      t,
      sa.auth,
      [
        { path: '/pricing', age: 20 * D },
        { path: '/pricing/enterprise', age: 3 * D },
        { path: '/pricing/enterprise', age: H },
      ].map((e) => ({ ...email('pricing@example.com'), event_type: 'Pricing View', timestamp: ago(e.age), metadata: { path: e.path } })),
    );
    const leadId = await leadOf(ids[0]);
    const before = await scoreOf(t, sa.auth, leadId, 'Pricing');
    const proposal = {
      rule_id: rs.rules[0],
      event_type: 'Pricing View',
      weight: 40,
      half_life_days: 30,
      filters: [{ key: 'path', operator: 'contains', value: 'enterprise' }],
    };
    const dry = await as().post('/engagement-scoring/test', { lead_id: leadId, ruleset_id: rs.id, rule: proposal }).expect(200);
    expect(dry.body).toMatchObject({ matches: true, ruleset_id: rs.id, current_score: before, matching_event_count: 2 });
    expect(dry.body.projected_score).not.toBe(before);
    expect(await scoreOf(t, sa.auth, leadId, 'Pricing')).toBe(before); // nothing persisted

    // live: save the change (future events only, RULE-8) and rescore now
    const { rule_id: _r, ...update } = proposal;
    await as().put(`/rules/${rs.rules[0]}`, update).expect(200);
    expect(await scoreOf(t, sa.auth, leadId, 'Pricing')).toBe(before);
    const job = await as().post(`/scoring/rulesets/engagement/${rs.id}/score-now`).expect(202);
    expect(job.body).toMatchObject({ status: 'queued', ruleset_id: rs.id, status_url: `/scoring/jobs/${job.body.job_id}` });
    const done = await eventually(async () => {
      const s = (await as().get(job.body.status_url).expect(200)).body;
      return s.status === 'completed' ? s : null;
    });
    expect(done).toMatchObject({ progress: 100, result: expect.objectContaining({ leads_changed: expect.any(Number) }) });
    await eventually(async () => (await scoreOf(t, sa.auth, leadId, 'Pricing')) === dry.body.projected_score);
    expect(await scoreOf(t, sa.auth, leadId, 'Pricing')).toBe(dry.body.projected_score);
    // the unfiltered older view no longer earns anything under the filtered rule
    const explain = (await as().get(`/events/${ids[0]}/score-explain`).expect(200)).body;
    expect(explain.rulesets.find((r: { ruleset_id: string }) => r.ruleset_id === rs.id)).toBeUndefined();
  });

  it('keeps the materialised lead_scores (lists, sorting) equal to the exact score reads', async () => {
    const ds = t.app.get(DataSource);
    // the floor setting flipped earlier: its background refresh has re-floored every stored score
    await eventually(async () => (await ds.query(`SELECT count(*)::int AS n FROM lead_scores WHERE score < 0`))[0].n === 0);
    const rows: { lead_id: string; ruleset_id: string; score: number }[] = await ds.query(
      `SELECT l.lead_id, s.ruleset_id, s.score FROM lead_scores s JOIN leads l ON l.id = s.lead_ref WHERE l.unit_id = 'unit_default'`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows)
      expect({ lead: r.lead_id, ruleset: r.ruleset_id, score: Math.round(Number(r.score)) }).toEqual({
        lead: r.lead_id,
        ruleset: r.ruleset_id,
        score: await scoreOf(t, sa.auth, r.lead_id, r.ruleset_id),
      });
  });

  it('moves materialised scores forward batch by batch exactly as a recompute from every stored contribution would', async () => {
    const ds = t.app.get(DataSource);
    const set = await ruleset('Incremental', [
      { event_type: 'Inc Visit', weight: 3 },
      { event_type: 'Inc Download', weight: 10, half_life_days: 7 },
      { event_type: 'Inc Webinar', weight: 20, half_life_days: 30 },
      { event_type: 'Inc Unsubscribe', weight: -15 },
    ]);
    const who = ['inc-a@example.com', 'inc-b@example.com', 'inc-c@example.com'];
    const ev = (i: number, type: string, at: string) => ({ ...email(who[i]), event_type: type, timestamp: at });
    const at = (days: number) => new Date(NOW.getTime() + days * D);
    const rows = (q: { query: DataSource['query'] }) =>
      q.query(
        `SELECT a.value AS email, l.lead_id, s.score, s.event_count, s.decays, s.terms IS NOT NULL AS has_terms
           FROM lead_scores s JOIN leads l ON l.id = s.lead_ref JOIN lead_aliases a ON a.lead_ref = l.id AND a.kind = 'email'
          WHERE s.ruleset_id = $1 AND a.value = ANY($2::text[]) ORDER BY a.value`,
        [set.id, who],
      ) as Promise<{ email: string; lead_id: string; score: number; event_count: number; decays: boolean; has_terms: boolean }[]>;
    try {
      await ingestAndWait(t, sa.auth, [ev(0, 'Inc Download', ago(2 * D)), ev(1, 'Inc Webinar', ago(40 * D)), ev(2, 'Inc Visit', ago(H))]);
      t.clock.set(at(3));
      await ingestAndWait(t, sa.auth, [
        ev(0, 'Inc Webinar', at(3).toISOString()),
        ev(1, 'Inc Download', at(2).toISOString()),
        ev(2, 'Inc Unsubscribe', at(3).toISOString()),
      ]);
      t.clock.set(at(13));
      // b gets an event dated after the clock (full weight until its time comes): b is recomputed, and keeps no terms
      await ingestAndWait(t, sa.auth, [
        ev(0, 'Inc Download', at(13).toISOString()),
        ev(1, 'Inc Webinar', at(20).toISOString()),
        ev(2, 'Inc Download', at(13).toISOString()),
      ]);
      expect((await rows(ds)).map((r) => r.has_terms)).toEqual([true, false, true]);
      t.clock.set(at(33));
      await ingestAndWait(
        t,
        sa.auth,
        [0, 1, 2].map((i) => ev(i, 'Inc Visit', at(33).toISOString())),
      );
      const incremental = await rows(ds);
      expect(incremental.map((r) => r.has_terms)).toEqual([true, true, true]);
      // the same rows recomputed from event_scores at the same instant, in a transaction that is rolled back
      const runner = ds.createQueryRunner();
      await runner.startTransaction();
      let recomputed: Awaited<ReturnType<typeof rows>>;
      try {
        const refs = (await runner.query(`SELECT lead_ref FROM lead_aliases WHERE value = ANY($1::text[])`, [who])).map(
          (r: { lead_ref: string }) => r.lead_ref,
        );
        await recomputeLeadScores(runner.manager, refs, t.clock.now());
        recomputed = await rows(runner.manager);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      expect(incremental).toHaveLength(3);
      incremental.forEach((row, i) => {
        expect(Number(row.score)).toBeCloseTo(Number(recomputed[i].score), 9);
        expect({ n: row.event_count, decays: row.decays }).toEqual({ n: recomputed[i].event_count, decays: recomputed[i].decays });
      });
      // and what was materialised is what an exact read (through the domain code) answers
      for (const row of incremental) expect(await scoreOf(t, sa.auth, row.lead_id, 'Incremental')).toBe(Math.round(Number(row.score)));
    } finally {
      t.clock.set(NOW);
    }
  });

  it('rejects bad input whole, with a clear 4xx, and writes nothing', async () => {
    const ds = t.app.get(DataSource);
    const count = async () =>
      (await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE event_type IN ('LeadEventRecorded','SuppressedEventRecorded')`))[0].n;
    const before = await count();
    const cases: [object | object[], number, string, string][] = [
      [{ ...email('bad@example.com') }, 400, 'validation_failed', 'event_type'],
      [{ event_type: 'Page View' }, 400, 'validation_failed', 'lead_id'],
      [{ ...email('bad@example.com'), event_type: 'Page View', timestamp: '15/08/2025' }, 400, 'validation_failed', 'timestamp'],
      [{ ...email('bad@example.com'), event_type: 'Page View', metadata: 'not an object' }, 400, 'validation_failed', 'metadata'],
      [{ aliases: [{ alias_kind: 'fax', raw_value: '1' }], event_type: 'Page View' }, 400, 'validation_failed', 'aliases[0].alias_kind'],
      [{ ...email('bad@example.com'), event_type: 'Page View', unit_id: 'unit_other' }, 400, 'validation_failed', 'unit_id'],
      // keys class-transformer used to drop before class-validator looked, and arrays of alias arrays it walked into
      [{ ...email('bad@example.com'), event_type: 'Page View', constructor: 'x' }, 400, 'validation_failed', 'constructor'],
      [{ aliases: [[{ alias_kind: 'email', raw_value: 'nested@example.com' }]], event_type: 'Page View' }, 400, 'validation_failed', 'aliases[0]'],
      [[{ ...email('ok@example.com'), event_type: 'Page View' }, { ...email('bad@example.com') }], 400, 'validation_failed', '[1].event_type'],
      [[], 400, 'validation_failed', 'body'],
      [Array.from({ length: 1001 }, () => ({ ...email('many@example.com'), event_type: 'Page View' })), 400, 'too_many_events', 'body'],
      [{ ...email('big@example.com'), event_type: 'Page View', metadata: { blob: 'x'.repeat(101 * 1024) } }, 413, 'metadata_too_large', 'metadata'],
      [
        [
          { ...email('ok@example.com'), event_type: 'Page View' },
          { lead_id: 'ld_does_not_exist', event_type: 'Page View' },
        ],
        404,
        'lead_not_found',
        '[1].lead_id',
      ],
    ];
    for (const [body, status, error, field] of cases) {
      const res = await as().post('/ingest', body as object);
      expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const raw = await as().post('/ingest').set('Content-Type', 'application/json').send('{"event_type": ');
    expect(raw.status).toBe(400);
    // nothing was queued: a marker sent afterwards is processed and nothing else appeared
    const [marker] = await ingestAndWait(t, sa.auth, { ...email('marker@example.com'), event_type: 'Marker', timestamp: ago(H) });
    expect(marker).toBeDefined();
    expect(await count()).toBe(before + 1);
  });

  it('queues metadata as sent, whatever its keys (a `constructor` key used to fail in class-transformer: 500)', async () => {
    const metadata = { constructor: 'x', nested: { constructor: 1, toString: 'y' } };
    const res = await as().post('/ingest', { ...email('keys@example.com'), event_type: 'Page View', metadata });
    expect(res.status).toBe(202);
    expect(res.body.metadata).toEqual(metadata);
  });
});
