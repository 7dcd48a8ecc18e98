import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LeadExplainService } from '../src/modules/leads';
import { api, Auth, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { listenToStream as listen } from './support/sse';
import { ago, D, H, NOW } from './support/time';
import { emailAliases as email, ingest, processed, scoreOf } from './support/ingest';

type Ev = {
  id: string;
  lead_id: string;
  event_type: string;
  suppressed: string | null;
  metadata: Record<string, unknown>;
  original_lead_id: string | null;
  channel: string;
};

describe('Leads: merge, score reset, explanations, share links', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  const as = () => api(t, sa.auth);
  const ruleset = (name: string, rules: object[]) => createRuleset(t, sa.auth, name, rules);
  /** Ingests and waits until the events are projected (generous: the full suite runs beside heavy projection tests). */
  const ingestAndWait = async (_t: TestApp, auth: Auth, events: object | object[]) => {
    const ids = await ingest(t, auth, events);
    await processed(t, auth, ids, 60_000);
    return ids;
  };
  const eventsOf = async (leadId: string): Promise<Ev[]> => (await as().get(`/events/${leadId}?limit=100`).expect(200)).body.events;
  /** Ingests events of one person and answers the lead they resolved to. */
  const leadWith = async (events: object[]): Promise<string> => {
    const ids = await ingestAndWait(t, sa.auth, events);
    const all = (await as().get('/events?limit=500').expect(200)).body.events as Ev[];
    return all.find((e) => e.id === ids[0])!.lead_id;
  };
  const mergedEntry = async (leadId: string) => eventually(async () => (await eventsOf(leadId)).find((e) => e.event_type === 'lead_merged'));

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ listen: true, now: NOW, rival: 'Merge Rivals', serviceAccount: 'merge-tests' }));
  });
  afterAll(() => t.close());

  describe('POST /leads/merge', () => {
    let rs: { id: string; rules: string[] };
    let target: string;
    let s1: string;
    let s2: string;
    let first: request.Response;
    const body = () => ({ targetLeadId: target, sourceLeadIds: [s1, s2] });

    beforeAll(async () => {
      rs = await ruleset('Merge', [
        { event_type: 'Merge View', weight: 10 },
        { event_type: 'Merge Demo', weight: 50 },
      ]);
      target = await leadWith([
        { ...email('target@merge.example'), event_type: 'Merge View', timestamp: ago(6 * H) },
        { ...email('target@merge.example'), event_type: 'Merge View', timestamp: ago(5 * H) },
      ]);
      s1 = await leadWith([
        { ...email('s1@merge.example'), event_type: 'Merge Demo', timestamp: ago(4 * H) },
        { ...email('s1@merge.example'), event_type: 'Merge View', timestamp: ago(3 * H) },
      ]);
      s2 = await leadWith([{ aliases: [{ alias_kind: 'external_id', raw_value: 'crm-s2' }], event_type: 'Merge View', timestamp: ago(2 * H) }]);
      expect([await scoreOf(t, sa.auth, target, 'Merge'), await scoreOf(t, sa.auth, s1, 'Merge'), await scoreOf(t, sa.auth, s2, 'Merge')]).toEqual([
        20, 60, 10,
      ]);
    });

    it('moves events and aliases, rescores the moved events under the current rules, and marks the sources merged', async () => {
      // a rule change not yet applied by score-now: the merge rescores the moved events through the scoring core
      await as().put(`/rules/${rs.rules[1]}`, { weight: 70 }).expect(200);
      first = await as().post('/leads/merge', body());
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        target: { lead_id: target, event_count: 5, aliases_added: 2 },
        mergedSources: [s1, s2],
        movedEvents: 3,
        truncatedEvents: 0,
        rescore: { rescored_events: 3, reset_excluded_events: 0, previous_scores: { [rs.id]: 20 }, scores: { [rs.id]: 20 + 70 + 10 + 10 } },
        merge_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      await eventually(async () => (await scoreOf(t, sa.auth, target, 'Merge')) === 110);
      expect(await scoreOf(t, sa.auth, target, 'Merge')).toBe(110);
      await as().get(`/score/${s1}`).expect(404);
      await as().get(`/events/${s2}`).expect(404);
      const ds = t.app.get(DataSource);
      expect(await ds.query(`SELECT lead_id, status, merged_into FROM leads WHERE lead_id = ANY($1) ORDER BY lead_id`, [[s1, s2]])).toEqual(
        [s1, s2].sort().map((id) => ({ lead_id: id, status: 'merged', merged_into: target })),
      );
      // the materialised score list agrees
      await eventually(
        async () =>
          (await ds.query(`SELECT s.score FROM lead_scores s JOIN leads l ON l.id = s.lead_ref WHERE l.lead_id = $1 AND s.ruleset_id = $2`, [target, rs.id]))[0]
            ?.score === 110,
      );
      expect(await ds.query(`SELECT count(*)::int AS n FROM lead_scores s JOIN leads l ON l.id = s.lead_ref WHERE l.lead_id = ANY($1)`, [[s1, s2]])).toEqual([
        { n: 0 },
      ]);
    });

    it('writes a lead_merged timeline entry and keeps original_lead_id on moved events', async () => {
      const entry = await mergedEntry(target);
      expect(entry).toMatchObject({
        channel: 'system',
        metadata: { source_lead_ids: [s1, s2], moved_events: 3, truncated_events: 0, merged_by: expect.stringMatching(/^service_account:/) },
      });
      const events = (await eventsOf(target)).filter((e) => e.channel !== 'system');
      expect(events).toHaveLength(5);
      expect(events.map((e) => e.original_lead_id).sort()).toEqual([null, null, s1, s1, s2].sort());
      expect(events.every((e) => e.lead_id === target)).toBe(true);
    });

    it('routes later events of a source alias to the target', async () => {
      const [id] = await ingestAndWait(t, sa.auth, {
        aliases: [{ alias_kind: 'external_id', raw_value: 'crm-s2' }],
        event_type: 'Merge View',
        timestamp: ago(H),
      });
      expect((await eventsOf(target)).map((e) => e.id)).toContain(id);
      expect(await scoreOf(t, sa.auth, target, 'Merge')).toBe(120);
    });

    it('is safe to retry: the same request answers the same outcome and moves nothing twice', async () => {
      const again = await as().post('/leads/merge', body()).expect(200);
      expect(again.body).toEqual(first.body);
      const reordered = await as()
        .post('/leads/merge', { targetLeadId: target, sourceLeadIds: [s2, s1, s2] })
        .expect(200);
      expect(reordered.body.merge_id).toBe(first.body.merge_id);
      expect((await eventsOf(target)).filter((e) => e.event_type === 'lead_merged')).toHaveLength(1);
      expect((await eventsOf(target)).filter((e) => e.channel !== 'system')).toHaveLength(6);
      expect(await scoreOf(t, sa.auth, target, 'Merge')).toBe(120);
      // concurrent identical requests: one merge
      const other = await leadWith([{ ...email('racer@merge.example'), event_type: 'Merge View', timestamp: ago(90 * 60_000) }]);
      const host = await leadWith([{ ...email('host@merge.example'), event_type: 'Merge View', timestamp: ago(80 * 60_000) }]);
      const [x, y] = await Promise.all([
        as().post('/leads/merge', { targetLeadId: host, sourceLeadIds: [other] }),
        as().post('/leads/merge', { targetLeadId: host, sourceLeadIds: [other] }),
      ]);
      expect([x.status, y.status]).toEqual([200, 200]);
      expect(x.body).toEqual(y.body);
      await mergedEntry(host);
      expect((await eventsOf(host)).filter((e) => e.channel !== 'system')).toHaveLength(2);
    });

    it('refuses an already-merged source in another merge, the target among the sources, and bad bodies (400 naming the field)', async () => {
      const fresh = await leadWith([{ ...email('fresh@merge.example'), event_type: 'Merge View', timestamp: ago(70 * 60_000) }]);
      const merged = await as()
        .post('/leads/merge', { targetLeadId: fresh, sourceLeadIds: [s1] })
        .expect(400);
      expect(merged.body).toMatchObject({ error: 'source_already_merged', details: [{ field: 'sourceLeadIds', lead_id: s1 }] });
      // a merged lead cannot be a target either: it is no longer visible
      await as()
        .post('/leads/merge', { targetLeadId: s1, sourceLeadIds: [fresh] })
        .expect(404);
      const self = await as()
        .post('/leads/merge', { targetLeadId: fresh, sourceLeadIds: [fresh] })
        .expect(400);
      expect(self.body).toMatchObject({ error: 'target_in_sources', details: [{ field: 'sourceLeadIds' }] });
      const cases: [object, string][] = [
        [{ sourceLeadIds: [s1] }, 'targetLeadId'],
        [{ targetLeadId: fresh, sourceLeadIds: [] }, 'sourceLeadIds'],
        [{ targetLeadId: fresh }, 'sourceLeadIds'],
        [{ targetLeadId: fresh, sourceLeadIds: [1] }, 'sourceLeadIds'],
        [{ targetLeadId: fresh, sourceLeadIds: ['x'], truncate: { policy: 'newest' } }, 'truncate.policy'],
        [{ targetLeadId: fresh, sourceLeadIds: ['x'], truncate: { policy: 'max_events' } }, 'truncate.max_events'],
        [{ targetLeadId: fresh, sourceLeadIds: ['x'], truncate: { policy: 'max_events', max_events: -1 } }, 'truncate.max_events'],
      ];
      for (const [bad, field] of cases) {
        const res = await as().post('/leads/merge', bad);
        expect(res.status).toBe(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });

    it('refuses cross-OU merges: a lead of another OU is not found (404), nothing moves', async () => {
      await api(t, b.admin)
        .post('/ingest', { ...email('theirs@merge.example'), event_type: 'Merge View', timestamp: ago(H) })
        .expect(202);
      const theirs = await eventually(async () => (await api(t, b.admin).get('/events')).body.events?.[0]?.lead_id as string | undefined);
      const mine = await leadWith([{ ...email('mine@merge.example'), event_type: 'Merge View', timestamp: ago(50 * 60_000) }]);
      const res = await as()
        .post('/leads/merge', { targetLeadId: mine, sourceLeadIds: [theirs] })
        .expect(404);
      expect(res.body).toMatchObject({ error: 'lead_not_found', details: [{ field: 'sourceLeadIds', lead_id: theirs }] });
      await api(t, b.admin)
        .post('/leads/merge', { targetLeadId: theirs, sourceLeadIds: [mine] })
        .expect(404);
      expect((await api(t, b.admin).get(`/score/${theirs}`).expect(200)).body.lead_id).toBe(theirs);
      await as().get(`/score/${mine}`).expect(200);
    });

    it('truncates with max_events, keeping the newest of the sources’ events', async () => {
      const keep = await leadWith([{ ...email('keep@merge.example'), event_type: 'Merge View', timestamp: ago(10 * H) }]);
      const noisy = await leadWith(
        [9, 8, 7, 6].map((h) => ({ ...email('noisy@merge.example'), event_type: h === 6 ? 'Merge Demo' : 'Merge View', timestamp: ago(h * H) })),
      );
      const noisyIds = (await eventsOf(noisy)).map((e) => e.id); // newest first
      const res = await as()
        .post('/leads/merge', { targetLeadId: keep, sourceLeadIds: [noisy], truncate: { policy: 'max_events', max_events: 2 } })
        .expect(200);
      expect(res.body).toMatchObject({ movedEvents: 2, truncatedEvents: 2, rescore: { previous_scores: { [rs.id]: 10 }, scores: { [rs.id]: 10 + 70 + 10 } } });
      await mergedEntry(keep);
      const after = (await eventsOf(keep)).filter((e) => e.channel !== 'system');
      expect(after.map((e) => e.id)).toEqual(expect.arrayContaining(noisyIds.slice(0, 2)));
      expect(after).toHaveLength(3);
      const all = (await as().get('/events?limit=500').expect(200)).body.events.map((e: Ev) => e.id);
      for (const gone of noisyIds.slice(2)) expect(all).not.toContain(gone);
      await eventually(async () => (await scoreOf(t, sa.auth, keep, 'Merge')) === 90);
    });
  });

  describe('POST /leads/{leadID}/reset-scores', () => {
    it('zeros the scores, keeps the events, and earlier events never count again: not after score-now, not after a merge', async () => {
      const rs = await ruleset('Reset', [{ event_type: 'Reset View', weight: 10 }]);
      const lead = await leadWith([3, 2].map((h) => ({ ...email('reset@example.com'), event_type: 'Reset View', timestamp: ago(h * H) })));
      expect(await scoreOf(t, sa.auth, lead, 'Reset')).toBe(20);
      const sse = await listen(t, sa.auth);
      const res = await as().post(`/leads/${lead}/reset-scores`).expect(200);
      expect(res.body).toMatchObject({ status: 'ok', lead_id: lead, previous_scores: { [rs.id]: 20 }, score_reset_at: NOW.toISOString() });
      expect(await scoreOf(t, sa.auth, lead, 'Reset')).toBe(0);
      await eventually(async () => sse.text().includes('event: score_reset') && sse.text().includes(`"lead_id":"${lead}"`));
      sse.close();
      const timeline = await eventually(async () => (await eventsOf(lead)).find((e) => e.event_type === 'score_reset'));
      expect(timeline).toMatchObject({ channel: 'system', metadata: { previous_scores: { [rs.id]: 20 }, reset_at: NOW.toISOString() } });
      expect((await eventsOf(lead)).filter((e) => e.channel !== 'system')).toHaveLength(2);

      // time moves on; a new event counts
      t.clock.set(new Date(NOW.getTime() + H));
      try {
        await ingestAndWait(t, sa.auth, {
          ...email('reset@example.com'),
          event_type: 'Reset View',
          timestamp: new Date(NOW.getTime() + 30 * 60_000).toISOString(),
        });
        expect(await scoreOf(t, sa.auth, lead, 'Reset')).toBe(10);
        // score-now after a weight change rescores every event but the reset still excludes the earlier two
        await as().put(`/rules/${rs.rules[0]}`, { weight: 30 }).expect(200);
        const job = await as().post(`/scoring/rulesets/engagement/${rs.id}/score-now`).expect(202);
        await eventually(async () => (await as().get(job.body.status_url).expect(200)).body.status === 'completed');
        await eventually(async () => (await scoreOf(t, sa.auth, lead, 'Reset')) === 30);
        const explain = (await as().get(`/lead/${lead}/score-explain?hours=24`).expect(200)).body;
        expect(explain).toMatchObject({ score_reset_at: NOW.toISOString(), reset_excluded_count: 2 });
        expect(explain.top_drivers.find((d: { rule_id: string }) => d.rule_id === rs.rules[0])).toMatchObject({ count: 1, weight: 30, total: 30 });

        // merged into a fresh lead, the source's pre-reset events still earn nothing, even after another score-now
        const host = await leadWith([
          { ...email('reset-host@example.com'), event_type: 'Reset View', timestamp: new Date(NOW.getTime() + 40 * 60_000).toISOString() },
        ]);
        const merged = await as()
          .post('/leads/merge', { targetLeadId: host, sourceLeadIds: [lead] })
          .expect(200);
        expect(merged.body).toMatchObject({ movedEvents: 3, rescore: { reset_excluded_events: 2, previous_scores: { [rs.id]: 30 }, scores: { [rs.id]: 60 } } });
        await eventually(async () => (await scoreOf(t, sa.auth, host, 'Reset')) === 60);
        await as().put(`/rules/${rs.rules[0]}`, { weight: 40 }).expect(200);
        const job2 = await as().post(`/scoring/rulesets/engagement/${rs.id}/score-now`).expect(202);
        await eventually(async () => (await as().get(job2.body.status_url).expect(200)).body.status === 'completed');
        await eventually(async () => (await scoreOf(t, sa.auth, host, 'Reset')) === 80);
        // and a reset target ignores moved events older than its reset
        await as().post(`/leads/${host}/reset-scores`).expect(200);
        const late = await leadWith([
          { ...email('reset-late@example.com'), event_type: 'Reset View', timestamp: new Date(NOW.getTime() + 50 * 60_000).toISOString() },
        ]);
        const m2 = await as()
          .post('/leads/merge', { targetLeadId: host, sourceLeadIds: [late] })
          .expect(200);
        expect(m2.body.rescore).toMatchObject({ previous_scores: { [rs.id]: 0 }, scores: { [rs.id]: 0 } });
      } finally {
        t.clock.set(NOW);
      }
    });

    it('answers 404 for an unknown lead', async () => {
      await as().post('/leads/ld_nobody/reset-scores').expect(404);
    });
  });

  describe('explanations', () => {
    let rs: { id: string; rules: string[] };
    let lead: string;

    beforeAll(async () => {
      rs = await ruleset('Explain', [
        { event_type: 'Demo Ask', weight: 40 },
        { event_type: 'Docs Read', weight: 5, half_life_days: 1, filters: [{ key: 'section', operator: 'equals', value: 'api' }] },
        { event_type: 'Spam Click', weight: 1 },
      ]);
      await as().post('/filters', { event_type: 'Spam Click', count_threshold: 1, time_window_ms: 60_000 }).expect(201);
      lead = await leadWith([
        ...[5, 3, 2].map((h) => ({ ...email('explain@example.com'), event_type: 'Demo Ask', timestamp: ago(h * H) })),
        { ...email('explain@example.com'), event_type: 'Docs Read', timestamp: ago(12 * H), metadata: { section: 'api' } },
        { ...email('explain@example.com'), event_type: 'Docs Read', timestamp: ago(30 * H), metadata: { section: 'api' } },
        ...[40, 30, 20].map((s) => ({ ...email('explain@example.com'), event_type: 'Spam Click', timestamp: ago(s * 1000) })),
      ]);
    });

    it('GET /lead/{leadID}/score-explain: drivers with filter labels, snapshot, surge (none yet), decay, inorganic, window, reset', async () => {
      const x = (await as().get(`/lead/${lead}/score-explain`).expect(200)).body;
      const inorganic = (await eventsOf(lead)).filter((e) => e.suppressed === 'inorganic').length;
      expect(inorganic).toBeGreaterThan(0);
      const docs = 5 * Math.pow(0.5, 0.5);
      expect(x).toMatchObject({
        lead_id: lead,
        score: 120 + Math.round(docs + 5 * Math.pow(0.5, 30 / 24)) + 3 - inorganic,
        surge_boost: [],
        surge_total: 0,
        surge_event_count: 0,
        decay_applied: Math.round((docs - 5) * 100) / 100,
        inorganic_count: inorganic,
        range_hours: 24,
        score_reset_at: null,
        reset_excluded_count: 0,
      });
      expect(x.top_drivers).toEqual([
        { rule_id: rs.rules[0], ruleset_id: rs.id, event_type: 'Demo Ask', count: 3, weight: 40, total: 120, points_now: 120 },
        {
          rule_id: rs.rules[1],
          ruleset_id: rs.id,
          event_type: 'Docs Read',
          count: 1,
          weight: 5,
          total: 5,
          points_now: Math.round(docs * 100) / 100,
          filter_label: expect.stringContaining('section'),
        },
        { rule_id: rs.rules[2], ruleset_id: rs.id, event_type: 'Spam Click', count: 3 - inorganic, weight: 1, total: 3 - inorganic, points_now: 3 - inorganic },
      ]);
      const weights = x.snapshot.map((s: { weight: number }) => Math.abs(s.weight));
      expect(weights).toEqual([...weights].sort((p: number, q: number) => q - p));
      expect(x.snapshot).toEqual(
        expect.arrayContaining([{ rule_id: rs.rules[0], ruleset_id: rs.id, event_type: 'Demo Ask', weight: 40, half_life_days: null }]),
      );
      expect(x.snapshot.find((s: { rule_id: string }) => s.rule_id === rs.rules[1]).filter_label).toEqual(expect.stringContaining('api'));
      const wide = (await as().get(`/lead/${lead}/score-explain?hours=48`).expect(200)).body;
      expect(wide.range_hours).toBe(48);
      expect(wide.top_drivers.find((d: { rule_id: string }) => d.rule_id === rs.rules[1]).count).toBe(2);
      for (const bad of ['0', 'x', '1.5']) {
        const res = await as().get(`/lead/${lead}/score-explain?hours=${bad}`).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain('hours');
      }
      await as().get('/lead/ld_nobody/score-explain').expect(404);
    });

    it('GET /leads/{leadID}/why: ranked factors and a plain-language summary', async () => {
      const w = (await as().get(`/leads/${lead}/why`).expect(200)).body;
      expect(w).toMatchObject({
        lead_id: lead,
        disqualified: false,
        disqualification: null,
        summary: 'Hot intent: demo ask 3 times this week. Recent: demo ask 2 hours ago.',
      });
      expect(w.factors[0]).toEqual({
        kind: 'engagement',
        event_type: 'Demo Ask',
        label: 'Demo Ask ×3',
        points: 120,
        count: 3,
        count_7d: 3,
        last_at: ago(2 * H),
      });
      expect(w.factors.map((f: { event_type: string }) => f.event_type)).toEqual(['Demo Ask', 'Docs Read', 'Spam Click']);
    });

    it('GET /leads/why: summaries for up to 200 leads in at most 8 queries whatever their number; others go to missing', async () => {
      const many = await ingestAndWait(
        t,
        sa.auth,
        Array.from({ length: 199 }, (_, i) => ({ ...email(`bulk${i}@why.example`), event_type: 'Demo Ask', timestamp: ago(H + i * 1000) })),
      );
      const byId = new Map(((await as().get('/events?limit=500').expect(200)).body.events as Ev[]).map((e) => [e.id, e.lead_id]));
      const ids = [lead, ...many.map((id) => byId.get(id)!)];
      expect(new Set(ids).size).toBe(200);
      const svc = t.app.get(LeadExplainService);
      const ds = t.app.get(DataSource);
      for (const n of [1, 50, 200]) {
        const runner = ds.createQueryRunner();
        const spy = jest.spyOn(runner, 'query');
        try {
          const out = await svc.whyMany(a.orgId, 'unit_default', ids.slice(0, n), NOW, runner.manager);
          expect(out.found).toHaveLength(n);
          expect(spy.mock.calls.length).toBeLessThanOrEqual(8);
        } finally {
          await runner.release();
        }
      }
      const res = await as()
        .get(`/leads/why?lead_ids=${[lead, lead, 'ld_nobody', ...ids.slice(1, 5)].join(',')}`)
        .expect(200);
      expect(Object.keys(res.body.summaries)).toHaveLength(5);
      expect(res.body.summaries[lead]).toBe('Hot intent: demo ask 3 times this week. Recent: demo ask 2 hours ago.');
      expect(res.body.summaries[ids[1]]).toBe('Recent: demo ask 1 hour ago.');
      expect(res.body.missing).toEqual(['ld_nobody']);
      expect((await as().get('/leads/why?lead_ids=').expect(200)).body).toEqual({ summaries: {}, missing: [] });
      const full = await as()
        .get(`/leads/why?lead_ids=${ids.join(',')}`)
        .expect(200);
      expect(Object.keys(full.body.summaries)).toHaveLength(200);
      const tooMany = await as()
        .get(`/leads/why?lead_ids=${[...ids, 'ld_extra'].join(',')}`)
        .expect(400);
      expect(tooMany.body.details.map((d: { field: string }) => d.field)).toContain('lead_ids');
      // another organization sees them as missing
      const theirs = await api(t, b.admin).get(`/leads/why?lead_ids=${lead}`).expect(200);
      expect(theirs.body).toEqual({ summaries: {}, missing: [lead] });
    });

    it('share links: an unguessable token valid 7 days, readable without a credential; 404 unknown, 410 expired', async () => {
      const created = await as().post(`/leads/${lead}/share-explain`).expect(201);
      const { token, expires_at, share_url } = created.body;
      expect(token).toMatch(/^sxp_[A-Za-z0-9_-]{43}$/);
      expect(expires_at).toBe(new Date(NOW.getTime() + 7 * D).toISOString());
      expect(share_url).toBe(`https://app.kenbun.io/share/explain/${token}`);
      const ds = t.app.get(DataSource);
      const stored = await ds.query(`SELECT * FROM share_links`);
      expect(stored).toHaveLength(1);
      expect(stored[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(stored)).not.toContain(token);

      const pub = await request(t.http).get(`/public/score-explain/${token}`).expect(200);
      const explain = (await as().get(`/lead/${lead}/score-explain`).expect(200)).body;
      expect(pub.body).toEqual({
        lead_name: lead,
        score: explain.score,
        top_drivers: explain.top_drivers,
        snapshot: explain.snapshot,
        decay_applied: explain.decay_applied,
        range_hours: 24,
        generated_at: NOW.toISOString(),
        expires_at,
      });
      await request(t.http).get('/public/score-explain/sxp_unknownunknownunknownunknownunknownunknown1').expect(404);
      await request(t.http).get('/public/score-explain/garbage').expect(404);
      await as().post('/leads/ld_nobody/share-explain').expect(404);
      t.clock.set(new Date(NOW.getTime() + 7 * D - 1000));
      try {
        await request(t.http).get(`/public/score-explain/${token}`).expect(200);
        t.clock.set(new Date(NOW.getTime() + 7 * D));
        const gone = await request(t.http).get(`/public/score-explain/${token}`).expect(410);
        expect(gone.body).toMatchObject({ error: 'share_link_expired' });
      } finally {
        t.clock.set(NOW);
      }
    });
  });
});
