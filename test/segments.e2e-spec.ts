import request from 'supertest';
import { DataSource } from 'typeorm';
import { SegmentsService } from '../src/modules/segments';
import { SegmentsRefreshJob } from '../src/modules/segments/membership/segments-refresh.job';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { ProjectionRebuilder } from '../src/platform/projections/projection-rebuilder.service';
import { RequestContext } from '../src/platform/tenancy';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';

type Rule = Record<string, unknown>;

describe('Segments', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let ds: DataSource;
  const as = () => api(t, sa.auth);

  /** Creates a segment with its rules through the API; answers its id. */
  const segment = async (name: string, rules: Rule[], extra: object = {}): Promise<string> => {
    const id = (
      await as()
        .post('/segments', { name, ...extra })
        .expect(201)
    ).body.segment_id as string;
    for (const r of rules) await as().post(`/segments/${id}/rules`, r).expect(201);
    return id;
  };
  const count = async (id: string, qs = ''): Promise<number> => (await as().get(`/segments/${id}/count${qs}`).expect(200)).body.count;
  const members = async (id: string, qs = '?limit=500&include_disqualified=true'): Promise<string[]> =>
    ((await as().get(`/segments/${id}/leads${qs}`).expect(200)).body as { lead_id: string }[]).map((l) => l.lead_id).sort();
  /** Waits until the segment's members (disqualified included) are exactly `want`. */
  const settles = async (id: string, want: string[]) => {
    const sorted = [...want].sort();
    await eventually(async () => JSON.stringify(await members(id)) === JSON.stringify(sorted), 20_000).catch(async () => {
      expect(await members(id)).toEqual(sorted);
    });
  };
  const meta = (field_name: string, operator: string, value?: string, extra: Rule = {}): Rule => ({
    rule_type: 'lead_metadata',
    field_name,
    operator,
    ...(value === undefined ? {} : { value }),
    ...extra,
  });

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ rival: 'Segment Rivals', serviceAccount: 'segment-tests' }));
    ds = t.app.get(DataSource);
    const leads: [string, Record<string, unknown>][] = [
      ['seg-l1', { industry: 'SaaS', plan: 'pro', employees: 50 }],
      ['seg-l2', { industry: 'saas', plan: 'free', employees: 500 }],
      ['seg-l3', { industry: 'Retail', plan: 'pro', employees: '12' }],
      ['seg-l4', { industry: 'Fintech' }],
    ];
    for (const [id, metadata] of leads) await as().post('/leads', { id, metadata }).expect(201);
  });
  afterAll(() => t.close());

  describe('lead_metadata operators (exact membership)', () => {
    const cases: [string, Rule, string[]][] = [
      ['equals ignores case', meta('industry', 'equals', 'SAAS'), ['seg-l1', 'seg-l2']],
      ['not_equals includes leads without the field', meta('plan', 'not_equals', 'pro'), ['seg-l2', 'seg-l4']],
      ['contains', meta('industry', 'contains', 'A'), ['seg-l1', 'seg-l2', 'seg-l3']],
      ['starts_with', meta('industry', 'starts_with', 'fin'), ['seg-l4']],
      ['ends_with', meta('industry', 'ends_with', 'TECH'), ['seg-l4']],
      ['gt (numbers and numeric strings only)', meta('employees', 'gt', '40'), ['seg-l1', 'seg-l2']],
      ['gte', meta('employees', 'gte', '50'), ['seg-l1', 'seg-l2']],
      ['lt', meta('employees', 'lt', '50'), ['seg-l3']],
      ['lte', meta('employees', 'lte', '12.0'), ['seg-l3']],
      ['is_empty (absent)', meta('plan', 'is_empty'), ['seg-l4']],
      ['is_not_empty', meta('plan', 'is_not_empty'), ['seg-l1', 'seg-l2', 'seg-l3']],
    ];
    it.each(cases)('%s', async (name, rule, want) => {
      const id = await segment(`op ${name}`, [rule]);
      await settles(id, want);
      expect(await count(id)).toBe(want.length);
    });

    it('a segment without active rules matches nobody', async () => {
      const id = await segment('no active rule', [meta('industry', 'is_not_empty', undefined, { active: false })]);
      const probe = await segment('probe', [meta('industry', 'equals', 'fintech')]);
      await settles(probe, ['seg-l4']); // jobs run in order: the first one ran too
      expect(await members(id)).toEqual([]);
      expect(await count(id)).toBe(0);
    });
  });

  describe('logic (SEG-10)', () => {
    it('AND inside a group', async () => {
      const id = await segment('and', [meta('industry', 'equals', 'saas'), meta('plan', 'equals', 'pro', { order_index: 1, logic_op: 'AND' })]);
      await settles(id, ['seg-l1']);
    });

    it('OR inside a group', async () => {
      const id = await segment('or', [meta('plan', 'equals', 'free'), meta('industry', 'equals', 'retail', { order_index: 1, logic_op: 'OR' })]);
      await settles(id, ['seg-l2', 'seg-l3']);
    });

    it('two groups are AND-ed, each folded in (logic_group, order_index) order', async () => {
      const id = await segment('groups', [
        meta('plan', 'equals', 'pro', { logic_group: 2 }),
        meta('industry', 'equals', 'retail', { logic_group: 1, order_index: 1, logic_op: 'OR' }),
        meta('industry', 'equals', 'saas', { logic_group: 1, order_index: 0, logic_op: 'AND' }),
      ]);
      await settles(id, ['seg-l1', 'seg-l3']);
      expect((await as().get(`/segments/${id}/rules`).expect(200)).body.map((r: { logic_group: number; value: string }) => [r.logic_group, r.value])).toEqual([
        [1, 'saas'],
        [1, 'retail'],
        [2, 'pro'],
      ]);
    });
  });

  describe('membership follows changes (SEG-5)', () => {
    let saas: string;

    it('a metadata change makes a lead leave and another join', async () => {
      saas = await segment('saas follow', [meta('industry', 'equals', 'saas')]);
      await settles(saas, ['seg-l1', 'seg-l2']);
      await as()
        .put('/lead/seg-l1', { metadata: { industry: 'Retail', plan: 'pro', employees: 50 } })
        .expect(200);
      await settles(saas, ['seg-l2']);
      await as()
        .put('/lead/seg-l4', { metadata: { industry: 'SaaS' } })
        .expect(200);
      await settles(saas, ['seg-l2', 'seg-l4']);
      // restore seg-l1 and seg-l4 for later tests
      await as()
        .put('/lead/seg-l1', { metadata: { industry: 'SaaS', plan: 'pro', employees: 50 } })
        .expect(200);
      await as()
        .put('/lead/seg-l4', { metadata: { industry: 'Fintech' } })
        .expect(200);
      await settles(saas, ['seg-l1', 'seg-l2']);
    });

    it('event_metadata: an ingested event makes its lead join (any event of the type, or any type)', async () => {
      const webinar = await segment('webinar ai', [
        { rule_type: 'event_metadata', field_name: 'topic', operator: 'equals', value: 'ai', event_type: 'Webinar' },
      ]);
      const anyType = await segment('any ai', [{ rule_type: 'event_metadata', field_name: 'topic', operator: 'equals', value: 'AI' }]);
      await settles(webinar, []);
      const [w] = await ingestAndWait(t, sa.auth, [
        { ...email('seg-web@example.com'), event_type: 'Webinar', metadata: { topic: 'Cloud' } },
        { ...email('seg-web@example.com'), event_type: 'Webinar', metadata: { topic: 'AI' } },
      ]);
      const [d] = await ingestAndWait(t, sa.auth, { ...email('seg-dl@example.com'), event_type: 'Download', metadata: { topic: 'ai' } });
      const [o] = await ingestAndWait(t, sa.auth, { ...email('seg-other@example.com'), event_type: 'Webinar', metadata: { topic: 'Cloud' } });
      const webLead = await leadOfEvent(t, sa.auth, w);
      const dlLead = await leadOfEvent(t, sa.auth, d);
      expect(await leadOfEvent(t, sa.auth, o)).toBeTruthy();
      await settles(webinar, [webLead]);
      await settles(anyType, [webLead, dlLead]);
    });

    it('a segment held by a whole-segment pass does not hold back other segments; its leads are re-checked once the pass is over', async () => {
      const topic = (value: string) => ({ rule_type: 'event_metadata', field_name: 'topic', operator: 'equals', value });
      const held = await segment('held by a pass', [topic('held-pass')]);
      const rivals = api(t, b.admin);
      const theirs = (await rivals.post('/segments', { name: 'rival, free' }).expect(201)).body.segment_id as string;
      await rivals.post(`/segments/${theirs}/rules`, topic('held-pass')).expect(201);
      const mine = await segment('mine, free', [topic('held-pass-too')]);
      await settles(held, []);
      await settles(mine, []);
      const segLock = `SELECT pg_advisory_lock(hashtextextended('segment:' || $1, 0))`;
      // what a recompute or the hourly refresh holds for its whole transaction (seconds at a million leads)
      const pass = ds.createQueryRunner();
      await pass.connect();
      try {
        await pass.query(segLock, [held]);
        // one event for the held segment first, then events for a segment of the same OU and one of another OU
        const [h] = await ingestAndWait(t, sa.auth, { ...email('seg-held@example.com'), event_type: 'Webinar', metadata: { topic: 'held-pass' } });
        const [f] = await ingestAndWait(t, sa.auth, { ...email('seg-free@example.com'), event_type: 'Webinar', metadata: { topic: 'held-pass-too' } });
        await ingestAndWait(t, b.admin, { ...email('seg-rival@example.com'), event_type: 'Webinar', metadata: { topic: 'held-pass' } });
        const heldLead = await leadOfEvent(t, sa.auth, h);
        await settles(mine, [await leadOfEvent(t, sa.auth, f)]);
        await eventually(async () => (await rivals.get(`/segments/${theirs}/count`).expect(200)).body.count === 1, 20_000);
        // the held segment's lead waits for the pass
        expect(await members(held)).toEqual([]);
        // (with every lead of the OU touched meanwhile: each is re-checked against each of the OU's segments)
        const pending: { segment_id: string; lead_ref: string }[] = await ds.query(`SELECT segment_id, lead_ref FROM segment_pending_rechecks`);
        expect(new Set(pending.map((p) => p.segment_id))).toEqual(new Set([held]));
        expect(pending.map((p) => p.lead_ref)).toContain((await ds.query(`SELECT id FROM leads WHERE lead_id = $1`, [heldLead]))[0].id);
        await pass.query(`SELECT pg_advisory_unlock(hashtextextended('segment:' || $1, 0))`, [held]);
        // the pass is over: the follow-up job re-checks the lead it left behind
        await settles(held, [heldLead]);
        expect(await ds.query(`SELECT count(*)::int AS n FROM segment_pending_rechecks`)).toEqual([{ n: 0 }]);
      } finally {
        // a pooled connection keeps session locks: none may outlive the test
        await pass.query(`SELECT pg_advisory_unlock_all()`);
        await pass.release();
        await rivals.delete(`/segments/${theirs}`).expect(204);
      }
    });

    it('a whole-segment pass re-evaluates the leads left pending before it', async () => {
      const held = await segment('pending at a pass', [{ rule_type: 'event_metadata', field_name: 'topic', operator: 'equals', value: 'pass-takes-it' }]);
      await settles(held, []);
      const [e] = await ingestAndWait(t, sa.auth, { ...email('seg-pass@example.com'), event_type: 'Webinar', metadata: { topic: 'pass-takes-it' } });
      const lead = await leadOfEvent(t, sa.auth, e);
      await settles(held, [lead]);
      // as if the projection had deferred this lead (and its membership were lost meanwhile): the refresh takes it
      const ref = (await ds.query(`SELECT id FROM leads WHERE lead_id = $1`, [lead]))[0].id;
      await ds.query(`DELETE FROM segment_members WHERE segment_id = $1`, [held]);
      await ds.query(`INSERT INTO segment_pending_rechecks (segment_id, lead_ref) VALUES ($1, $2)`, [held, ref]);
      await t.app.get(SegmentsRefreshJob).refresh();
      expect(await members(held)).toEqual([lead]);
      expect(await ds.query(`SELECT count(*)::int AS n FROM segment_pending_rechecks WHERE segment_id = $1`, [held])).toEqual([{ n: 0 }]);
    });

    let cold: string;
    let hotLevel: string;

    it('level rules: a lead joins when its engagement level changes to the one named, and leaves when it changes away', async () => {
      await as().put('/settings/ou/surge-session-policy', { mode: 'off' }).expect(200);
      const rs = await createRuleset(t, sa.auth, 'Segment scoring', [
        { event_type: 'Seg Ping', weight: 10 },
        { event_type: 'Seg Unping', weight: -30 },
      ]);
      cold = (await as().post('/engagement-levels', { name: 'Cold', min_score: 0, max_score: 19, ruleset_id: rs.id }).expect(201)).body.stage_id;
      hotLevel = (await as().post('/engagement-levels', { name: 'Hot', min_score: 20, ruleset_id: rs.id }).expect(201)).body.stage_id;
      const hot = await segment('hot', [{ rule_type: 'engagement_level', field_name: 'level', operator: 'equals', value: 'hot' }]);
      const notHot = await segment('not hot', [
        { rule_type: 'engagement_level', field_name: 'level', operator: 'not_equals', value: 'Hot' },
        meta('lane', 'equals', 'levels', { logic_op: 'AND', order_index: 1 }),
      ]);
      const who = { ...email('seg-level@example.com'), event_type: 'Seg Ping' };
      const [first] = await ingestAndWait(t, sa.auth, who);
      const lead = await leadOfEvent(t, sa.auth, first);
      await as()
        .put(`/lead/${lead}`, { metadata: { lane: 'levels' } })
        .expect(200);
      await settles(notHot, [lead]);
      expect(await members(hot)).toEqual([]);
      await ingestAndWait(t, sa.auth, who);
      await settles(hot, [lead]);
      await settles(notHot, []);
      await ingestAndWait(t, sa.auth, { ...who, event_type: 'Seg Unping' });
      await settles(hot, []);
      await settles(notHot, [lead]);
    });

    it('level changes with no lead event (a level reconfiguration) reach level segments at the hourly segments.refresh', async () => {
      const drift = await segment('hot drift', [
        { rule_type: 'engagement_level', field_name: 'level', operator: 'equals', value: 'Hot' },
        meta('lane', 'equals', 'drift', { logic_op: 'AND', order_index: 1 }),
      ]);
      const [first] = await ingestAndWait(t, sa.auth, { ...email('seg-drift@example.com'), event_type: 'Seg Ping' });
      const lead = await leadOfEvent(t, sa.auth, first);
      await as()
        .put(`/lead/${lead}`, { metadata: { lane: 'drift' } })
        .expect(200);
      await settles(drift, []); // 10 points: Cold
      // the bands move: 10 points are Hot now, and the lead is reclassified without an event of its own
      await as().put(`/engagement-levels/${cold}`, { max_score: 4 }).expect(200);
      await as().put(`/engagement-levels/${hotLevel}`, { min_score: 5 }).expect(200);
      await eventually(async () => (await ds.query(`SELECT engagement_level FROM leads WHERE lead_id = $1`, [lead]))[0].engagement_level === 'Hot', 20_000);
      expect(await members(drift)).toEqual([]);
      const job = t.app.get(SegmentsRefreshJob);
      // the reclassification commits level by level: refresh until the job has seen the final bands
      await eventually(async () => {
        await job.refresh();
        return JSON.stringify(await members(drift)) === JSON.stringify([lead]);
      }, 20_000);
      expect(await members(drift)).toEqual([lead]);
      // run again: nothing moves
      expect(await job.refresh()).toEqual(expect.objectContaining({ joined: 0, left: 0 }));
    });
  });

  describe('reads', () => {
    let saas: string;
    let pro: string;
    let empty: string;

    beforeAll(async () => {
      saas = await segment('saas reads', [meta('industry', 'equals', 'saas')]);
      pro = await segment('pro reads', [meta('plan', 'equals', 'pro')]);
      empty = await segment('empty reads', []);
      await settles(saas, ['seg-l1', 'seg-l2']);
      await settles(pro, ['seg-l1', 'seg-l3']);
    });

    it('excludes disqualified leads unless include_disqualified=true (count and members)', async () => {
      // disqualification comes from hard-DQ profile rules (PRF-9); the read filters on the lead's flag, set here directly
      await ds.query(`UPDATE leads SET disqualified = true, disqualified_at = now() WHERE lead_id = 'seg-l2'`);
      try {
        expect(await count(saas)).toBe(1);
        expect(await count(saas, '?include_disqualified=false')).toBe(1);
        expect(await count(saas, '?include_disqualified=true')).toBe(2);
        expect(await members(saas, '')).toEqual(['seg-l1']);
        expect(await members(saas, '?include_disqualified=true')).toEqual(['seg-l1', 'seg-l2']);
        expect((await as().get(`/segments/${saas}/count?include_disqualified=maybe`).expect(400)).body.details[0].field).toBe('include_disqualified');
      } finally {
        await ds.query(`UPDATE leads SET disqualified = false, disqualified_at = NULL WHERE lead_id = 'seg-l2'`);
      }
    });

    it('answers member leads with the lead fields, paged', async () => {
      const page1 = (await as().get(`/segments/${saas}/leads?limit=1&page=1`).expect(200)).body;
      const page2 = (await as().get(`/segments/${saas}/leads?limit=1&page=2`).expect(200)).body;
      const page3 = (await as().get(`/segments/${saas}/leads?limit=1&page=3`).expect(200)).body;
      expect(page1).toHaveLength(1);
      expect(page2).toHaveLength(1);
      expect(page3).toEqual([]);
      expect([page1[0].lead_id, page2[0].lead_id].sort()).toEqual(['seg-l1', 'seg-l2']);
      expect(page1.concat(page2).find((l: { lead_id: string }) => l.lead_id === 'seg-l1')).toMatchObject({
        lead_id: 'seg-l1',
        metadata: { industry: 'SaaS', plan: 'pro', employees: 50 },
        score: 0,
        disqualified: false,
        joined_at: expect.stringMatching(/Z$/),
      });
      for (const bad of ['limit=0', 'limit=501', 'page=0', 'limit=x']) {
        const res = await as().get(`/segments/${saas}/leads?${bad}`).expect(400);
        expect(res.body.details[0].field).toBe(bad.split('=')[0]);
      }
    });

    it('computes overlap figures (SEG-9)', async () => {
      expect((await as().get(`/segments/overlap?a=${saas}&b=${pro}`).expect(200)).body).toEqual({
        a_count: 2,
        b_count: 2,
        overlap_count: 1,
        overlap_pct_a: 50,
        overlap_pct_b: 50,
      });
      // (the leads the ingest tests created have neither field)
      const fintech = await segment('not pro', [meta('plan', 'not_equals', 'pro'), meta('industry', 'is_not_empty', undefined, { order_index: 1 })]);
      await settles(fintech, ['seg-l2', 'seg-l4']);
      expect((await as().get(`/segments/overlap?a=${saas}&b=${fintech}`).expect(200)).body).toEqual({
        a_count: 2,
        b_count: 2,
        overlap_count: 1,
        overlap_pct_a: 50,
        overlap_pct_b: 50,
      });
      const three = await segment('three', [meta('industry', 'contains', 'a')]);
      await settles(three, ['seg-l1', 'seg-l2', 'seg-l3']);
      expect((await as().get(`/segments/overlap?a=${pro}&b=${three}`).expect(200)).body).toEqual({
        a_count: 2,
        b_count: 3,
        overlap_count: 2,
        overlap_pct_a: 100,
        overlap_pct_b: 66.7,
      });
      expect((await as().get(`/segments/overlap?a=${saas}&b=${empty}`).expect(200)).body).toEqual({
        a_count: 2,
        b_count: 0,
        overlap_count: 0,
        overlap_pct_a: 0,
        overlap_pct_b: 0,
      });
      expect((await as().get(`/segments/overlap?a=${saas}`).expect(400)).body.details[0].field).toBe('b');
      expect((await as().get(`/segments/overlap?a=${saas}&b=sg_nope`).expect(404)).body.error).toBe('segment_not_found');
    });

    it('an inactive segment keeps its rules and counts 0; reactivated, its members are back', async () => {
      const off = (await as().put(`/segments/${pro}`, { name: 'pro reads', active: false }).expect(200)).body;
      expect(off).toMatchObject({ segment_id: pro, name: 'pro reads', active: false });
      expect(await count(pro)).toBe(0);
      expect(await members(pro)).toEqual([]);
      expect((await as().get(`/segments/${pro}/rules`).expect(200)).body).toHaveLength(1);
      expect((await as().get(`/segments/overlap?a=${saas}&b=${pro}`).expect(200)).body).toMatchObject({ b_count: 0, overlap_count: 0 });
      await as().put(`/segments/${pro}`, { name: 'pro reads', active: true }).expect(200);
      await settles(pro, ['seg-l1', 'seg-l3']);
      expect(await count(pro)).toBe(2);
    });

    it('is rebuilt like the other projections', async () => {
      await ds.query(`DELETE FROM segment_members WHERE segment_id = $1`, [saas]);
      expect(await count(saas)).toBe(0);
      await t.app.get(ProjectionRebuilder).rebuild('segment-membership');
      expect(await members(saas)).toEqual(['seg-l1', 'seg-l2']);
      expect(await members(pro)).toEqual(['seg-l1', 'seg-l3']);
    });
  });

  describe('configuration', () => {
    let id: string;
    let ruleId: string;

    it('creates, lists and updates segments in the seed shape', async () => {
      const created = (await as().post('/segments', { name: 'Marketing Leads', description: 'Leads from marketing sources', active: true }).expect(201)).body;
      id = created.segment_id;
      expect(created).toMatchObject({
        segment_id: expect.stringMatching(/^sg_/),
        name: 'Marketing Leads',
        description: 'Leads from marketing sources',
        active: true,
      });
      expect((await as().get('/segments').expect(200)).body.map((s: { segment_id: string }) => s.segment_id)).toContain(id);
      expect((await as().put(`/segments/${id}`, { name: 'Marketing' }).expect(200)).body).toMatchObject({
        name: 'Marketing',
        description: 'Leads from marketing sources',
        active: true,
      });
    });

    it('creates a rule with every seed field, and updates it partially', async () => {
      const rule = (
        await as()
          .post(`/segments/${id}/rules`, {
            rule_name: 'SaaS',
            rule_type: 'lead_metadata',
            field_name: 'industry',
            operator: 'equals',
            value: 'saas',
            event_type: '',
            logic_group: 0,
            logic_op: 'AND',
            order_index: 0,
            active: true,
          })
          .expect(201)
      ).body;
      ruleId = rule.rule_id;
      expect(rule).toEqual({
        rule_id: expect.stringMatching(/^sgr_/),
        segment_id: id,
        org_id: a.orgId,
        rule_name: 'SaaS',
        rule_type: 'lead_metadata',
        field_name: 'industry',
        operator: 'equals',
        value: 'saas',
        event_type: '',
        logic_group: 0,
        logic_op: 'AND',
        order_index: 0,
        active: true,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
        created_by: expect.any(String),
        updated_by: expect.any(String),
      });
      await settles(id, ['seg-l1', 'seg-l2']);
      expect((await as().put(`/segments/${id}/rules/${ruleId}`, { value: 'retail' }).expect(200)).body).toMatchObject({
        rule_id: ruleId,
        value: 'retail',
        operator: 'equals',
      });
      await settles(id, ['seg-l3']);
    });

    it('rejects bad bodies naming the field, writing nothing', async () => {
      const before = (await as().get(`/segments/${id}/rules`).expect(200)).body;
      const segmentsBefore = (await as().get('/segments').expect(200)).body.length;
      const bad: [object, string][] = [
        [{ rule_type: 'nope', field_name: 'x', operator: 'equals', value: 'v' }, 'rule_type'],
        [{ operator: 'equals', field_name: 'x', value: 'v' }, 'rule_type'],
        [{ rule_type: 'lead_metadata', operator: 'equals', value: 'v' }, 'field_name'],
        [{ rule_type: 'lead_metadata', field_name: '', operator: 'equals', value: 'v' }, 'field_name'],
        [{ rule_type: 'lead_metadata', field_name: 'x', operator: 'like', value: 'v' }, 'operator'],
        [{ rule_type: 'lead_metadata', field_name: 'x', value: 'v' }, 'operator'],
        [{ rule_type: 'lead_metadata', field_name: 'x', operator: 'equals' }, 'value'],
        [{ rule_type: 'lead_metadata', field_name: 'x', operator: 'gt', value: 'ten' }, 'value'],
        [{ rule_type: 'engagement_level', field_name: 'level', operator: 'contains', value: 'Hot' }, 'operator'],
        [{ rule_type: 'profile_level', field_name: 'level', operator: 'gt', value: '1' }, 'operator'],
        [{ rule_type: 'account_level', field_name: 'level', operator: 'is_empty' }, 'operator'],
        [{ rule_type: 'lead_metadata', field_name: 'x', operator: 'equals', value: 'v', logic_op: 'XOR' }, 'logic_op'],
        [{ rule_type: 'lead_metadata', field_name: 'x', operator: 'equals', value: 'v', logic_group: 1.5 }, 'logic_group'],
        [{ rule_type: 'lead_metadata', field_name: 'x', operator: 'equals', value: 'v', unknown: 1 }, 'unknown'],
      ];
      for (const [body, field] of bad) {
        const res = await as().post(`/segments/${id}/rules`, body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      for (const [body, field] of [
        [{ operator: 'gte', value: 'x' }, 'value'],
        [{ operator: 'lt' }, 'value'],
        [{ rule_type: 'profile_level', operator: 'starts_with' }, 'operator'],
        [{ operator: 'starts_with', value: null }, 'value'],
      ] as [object, string][]) {
        const res = await as().put(`/segments/${id}/rules/${ruleId}`, body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      for (const [body, field] of [
        [{}, 'name'],
        [{ name: '   ' }, 'name'],
        [{ name: 'x', active: 'yes' }, 'active'],
      ] as [object, string][]) {
        expect((await as().post('/segments', body).expect(400)).body.details.map((d: { field: string }) => d.field)).toContain(field);
        expect((await as().put(`/segments/${id}`, body).expect(400)).body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect((await as().get(`/segments/${id}/rules`).expect(200)).body).toEqual(before);
      expect((await as().get('/segments').expect(200)).body).toHaveLength(segmentsBefore);
    });

    it('answers 401 without a credential, 404 to other OUs and unknown ids, 403 to a Viewer on mutations', async () => {
      const routes: [string, string, object?][] = [
        ['get', '/segments'],
        ['get', `/segments/overlap?a=${id}&b=${id}`],
        ['post', '/segments', { name: 'x' }],
        ['put', `/segments/${id}`, { name: 'x' }],
        ['delete', `/segments/${id}`],
        ['get', `/segments/${id}/count`],
        ['get', `/segments/${id}/leads`],
        ['get', `/segments/${id}/rules`],
        ['post', `/segments/${id}/rules`, meta('x', 'is_empty')],
        ['put', `/segments/${id}/rules/${ruleId}`, { value: 'x' }],
        ['delete', `/segments/${id}/rules/${ruleId}`],
      ];
      const anonymous = request(t.http) as unknown as Record<string, (u: string) => request.Test>;
      for (const [method, url, body] of routes)
        await anonymous[method](url)
          .send(body ?? {})
          .expect(401);
      const intruder = api(t, b.admin);
      expect((await intruder.get('/segments').expect(200)).body).toEqual([]);
      for (const [method, url, body] of routes.filter(([, u]) => u.includes(id))) {
        const res = await (intruder as unknown as Record<string, (u: string, b?: object) => request.Test>)[method](url, body);
        expect([res.status, res.body.error]).toEqual([404, 'segment_not_found']);
      }
      await as().get('/segments/sg_unknown/count').expect(404);
      expect((await as().put(`/segments/${id}/rules/sgr_unknown`, { value: 'x' }).expect(404)).body.error).toBe('segment_rule_not_found');
      await as().delete(`/segments/${id}/rules/sgr_unknown`).expect(404);
      const viewer = api(t, (await memberWithRole(t, a, 'segment-viewer@example.com', 'Viewer')).auth);
      expect((await viewer.get(`/segments/${id}/rules`).expect(200)).body).toHaveLength(1);
      await viewer.get(`/segments/${id}/count`).expect(200);
      await viewer.post('/segments', { name: 'x' }).expect(403);
      await viewer.put(`/segments/${id}`, { name: 'x' }).expect(403);
      await viewer.delete(`/segments/${id}`).expect(403);
      await viewer.post(`/segments/${id}/rules`, meta('x', 'is_empty')).expect(403);
      await viewer.put(`/segments/${id}/rules/${ruleId}`, { value: 'x' }).expect(403);
      await viewer.delete(`/segments/${id}/rules/${ruleId}`).expect(403);
      expect((await as().get(`/segments/${id}/rules`).expect(200)).body[0]).toMatchObject({ value: 'retail' });
    });

    it('deletes a rule, then the segment with its rules and members, never the leads; every change audited', async () => {
      await as().delete(`/segments/${id}/rules/${ruleId}`).expect(204);
      expect((await as().get(`/segments/${id}/rules`).expect(200)).body).toEqual([]);
      await settles(id, []);
      await as()
        .post(`/segments/${id}/rules`, meta('industry', 'equals', 'retail'))
        .expect(201);
      await settles(id, ['seg-l3']);
      await as().delete(`/segments/${id}`).expect(204);
      await as().delete(`/segments/${id}`).expect(404);
      await as().get(`/segments/${id}/rules`).expect(404);
      expect(await ds.query(`SELECT 1 FROM segment_rules WHERE segment_id = $1 UNION ALL SELECT 1 FROM segment_members WHERE segment_id = $1`, [id])).toEqual(
        [],
      );
      await as().get('/leads/seg-l3').expect(200);
      await t.app.get(AuditWriter).flush();
      const audited: { entity_type: string; verb: string }[] = await ds.query(
        `SELECT entity_type, verb FROM audit_logs WHERE status < 300 AND (entity_id = $1 OR entity_type = 'segment_rule' AND summary LIKE '%segment Marketing%') ORDER BY id`,
        [id],
      );
      expect(audited.filter((e) => e.entity_type === 'segment').length).toBe(3); // created, updated, deleted
      expect(audited.filter((e) => e.entity_type === 'segment_rule').length).toBe(4); // added, updated, removed, added
    });
  });

  it('creates a segment with rules programmatically in the current tenancy (SegmentsService.createWithRules)', async () => {
    const svc = t.app.get(SegmentsService);
    const created = await RequestContext.run({ orgId: a.orgId, unitId: a.unitId } as never, () =>
      svc.createWithRules({ name: 'Sample: pro plan' }, [
        { rule_type: 'lead_metadata', field_name: 'plan', operator: 'equals', value: 'pro' },
        { rule_type: 'lead_metadata', field_name: 'industry', operator: 'equals', value: 'retail', logic_op: 'OR', order_index: 1 },
      ]),
    );
    expect(created).toMatchObject({ name: 'Sample: pro plan', active: true, created_by: 'system' });
    await settles(created.segment_id, ['seg-l1', 'seg-l3']);
    await expect(
      RequestContext.run({ orgId: a.orgId, unitId: a.unitId } as never, () =>
        svc.createWithRules({ name: 'bad' }, [{ rule_type: 'lead_metadata', field_name: 'plan', operator: 'gt', value: 'x' }]),
      ),
    ).rejects.toMatchObject({ status: 400 });
    expect((await as().get('/segments').expect(200)).body.map((s: { name: string }) => s.name)).not.toContain('bad');
  });

  // last: these turn on profile levels and ABM for the whole OU, which earlier tests' exact member sets do not expect
  describe('profile and account rules (last)', () => {
    it('profile_level: a lead joins when its profile level becomes the one named, and leaves when it changes away', async () => {
      const fit = (await as().post('/profile-scoring/rulesets', { name: 'Segment fit', enabled: true }).expect(201)).body.id;
      await as().put(`/profile-scoring/rulesets/${fit}`, { name: 'Segment fit', is_primary: true }).expect(200);
      await as()
        .post(`/profile-scoring/rulesets/${fit}/rules`, { profile_property: 'seg_tier', condition: 'in', comparison_value: 'gold', weight: 50, ui_order: 0 })
        .expect(201);
      await as().post('/profile-scoring/levels', { name: 'Segment fit', min_score: 40 }).expect(201);
      await as().post('/profile-scoring/levels', { name: 'Segment misfit', min_score: 0, max_score: 39 }).expect(201);
      const fitting = await segment('profile fit', [
        { rule_type: 'profile_level', field_name: 'level', operator: 'equals', value: 'segment fit' },
        meta('lane', 'equals', 'profile', { logic_op: 'AND', order_index: 1 }),
      ]);
      await as()
        .post('/leads', { id: 'seg-fit', metadata: { seg_tier: 'gold', lane: 'profile' } })
        .expect(201);
      await as()
        .post('/leads', { id: 'seg-misfit', metadata: { seg_tier: 'bronze', lane: 'profile' } })
        .expect(201);
      await settles(fitting, ['seg-fit']);
      await as().patch('/lead/seg-fit/metadata', { seg_tier: 'bronze' }).expect(200);
      await as().patch('/lead/seg-misfit/metadata', { seg_tier: 'gold' }).expect(200);
      await settles(fitting, ['seg-misfit']);
    });

    it('account_metadata and account_level: leads follow their account (ABM grouping by e-mail domain)', async () => {
      await activateOu(t, a.admin, a.unitId);
      await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      const enterprise = await segment('enterprise accounts', [{ rule_type: 'account_metadata', field_name: 'tier', operator: 'equals', value: 'enterprise' }]);
      const leveled = await segment('not a strategic account', [
        { rule_type: 'account_level', field_name: 'level', operator: 'not_equals', value: 'Strategic' },
        meta('lane', 'equals', 'accounts', { logic_op: 'AND', order_index: 1 }),
      ]);
      const [e1] = await ingestAndWait(t, sa.auth, { ...email('ann@segment-acme.example'), event_type: 'Seg Account Ping' });
      const [e2] = await ingestAndWait(t, sa.auth, { ...email('bo@segment-acme.example'), event_type: 'Seg Account Ping' });
      const [e3] = await ingestAndWait(t, sa.auth, { ...email('cy@segment-other.example'), event_type: 'Seg Account Ping' });
      const acme = [await leadOfEvent(t, sa.auth, e1), await leadOfEvent(t, sa.auth, e2)];
      const other = await leadOfEvent(t, sa.auth, e3);
      for (const lead of [...acme, other]) await as().patch(`/lead/${lead}/metadata`, { lane: 'accounts' }).expect(200);
      await eventually(
        async () =>
          Number(
            (
              await ds.query(`SELECT count(*)::int AS n FROM leads WHERE unit_id = $1 AND account_ref IS NOT NULL AND metadata->>'lane' = 'accounts'`, [
                a.unitId,
              ])
            )[0].n,
          ) === 3,
        20_000,
      );
      // no account level is Strategic (none configured): every lead of the lane is in; nobody's account has the tier yet
      await settles(leveled, [...acme, other]);
      expect(await members(enterprise)).toEqual([]);
      const [{ account_id }] = await ds.query(`SELECT a.account_id FROM accounts a WHERE a.unit_id = $1 AND a.domain = 'segment-acme.example'`, [a.unitId]);
      await as()
        .patch(`/accounts/${account_id}/metadata`, { metadata: { tier: 'enterprise' } })
        .expect(204);
      await settles(enterprise, acme);
      await as()
        .patch(`/accounts/${account_id}/metadata`, { metadata: { tier: null } })
        .expect(204);
      await settles(enterprise, []);
    });
  });
});
