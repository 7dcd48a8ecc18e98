import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { ProjectionRebuilder } from '../src/platform/projections/projection-rebuilder.service';
import { api, ServiceAccount, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

describe('Engagement rulesets and rules', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ roles: ['api'], rival: 'Rules Rivals', serviceAccount: 'rules-pipeline' }));
  });
  afterAll(() => t.close());

  const as = () => api(t, sa.auth);

  it('needs a ruleset before a rule can go to the primary one', async () => {
    const res = await as().post('/rules', { event_type: 'Email Open', weight: 5 });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('ruleset_required');
  });

  it("runs the API overview's examples verbatim", async () => {
    const rs = await as().post('/rulesets', { name: 'Q1 2025 Campaign', score_type: 'engagement', active: true }).expect(201);
    expect(rs.body).toMatchObject({
      ruleset_id: expect.stringMatching(/^rs_/),
      name: 'Q1 2025 Campaign',
      score_column: 'total_score',
      is_primary: true,
      active: true,
      rule_count: 0,
      dimension: 'engagement',
    });
    const rule = await as().post('/rules', { ruleset_id: rs.body.ruleset_id, event_type: 'demo_request', weight: 50 }).expect(201);
    expect(rule.body).toMatchObject({
      rule_id: expect.stringMatching(/^rl_/),
      ruleset_id: rs.body.ruleset_id,
      event_type: 'demo_request',
      weight: 50,
      active: true,
      half_life_days: null,
      priority: 0,
      filters: [],
      filter_label: null,
    });
    // seed 002's request sample: no ruleset_id → the primary ruleset
    const emailOpen = await as().post('/rules', { event_type: 'Email Open', weight: 5, active: true }).expect(201);
    expect(emailOpen.body.ruleset_id).toBe(rs.body.ruleset_id);
    expect(emailOpen.body.priority).toBe(1);
  });

  it('keeps one primary per OU and lists it first', async () => {
    const second = await as().post('/rulesets', { name: 'Marketing', score_column: 'total_score' }).expect(201);
    expect(second.body.is_primary).toBe(false);
    const third = await as()
      .post('/engagement-scoring/rulesets', { name: 'Sales', is_primary: true, start_date: '2025-01-01', end_date: '2025-12-31' })
      .expect(201);
    expect(third.body).toMatchObject({ is_primary: true, start_date: '2025-01-01', end_date: '2025-12-31' });
    const list = await as().get('/engagement-scoring/rulesets').expect(200);
    expect(list.body.filter((r: { is_primary: boolean }) => r.is_primary).map((r: { name: string }) => r.name)).toEqual(['Sales']);
    expect(list.body[0].name).toBe('Sales');
    expect((await as().get('/rulesets')).body).toEqual(list.body);
  });

  it('validates rulesets: name, dates, unknown fields', async () => {
    const bad = await as().post('/rulesets', { name: '', start_date: '2025-13-01', score_type: 'profile', extra: 1 });
    expect(bad.status).toBe(400);
    expect(new Set(bad.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['name', 'start_date', 'score_type', 'extra']));
    const backwards = await as().post('/rulesets', { name: 'Backwards', start_date: '2025-02-01', end_date: '2025-01-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.details[0].field).toBe('end_date');
  });

  describe('rules', () => {
    let rulesetId: string;

    beforeAll(async () => {
      rulesetId = (await as().post('/rulesets', { name: 'Rules under test' }).expect(201)).body.ruleset_id;
    });

    it('refuses non-integer weights, out-of-range half-lives and bad filters, naming the field', async () => {
      const decimal = await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Page View', weight: 2.5 });
      expect(decimal.status).toBe(400);
      expect(decimal.body.details).toEqual([{ field: 'weight', reason: 'must be a whole number' }]);
      expect((await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Page View', weight: 1, half_life_days: 731 })).body.details[0].field).toBe(
        'half_life_days',
      );
      expect((await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Page View', weight: 1, half_life_days: 0 })).status).toBe(400);
      const op = await as().post('/rules', {
        ruleset_id: rulesetId,
        event_type: 'Page View',
        weight: 1,
        filters: [{ key: 'path', operator: 'resembles', value: 'x' }],
      });
      expect(op.body.details.map((d: { field: string }) => d.field)).toContain('filters[0].operator');
      const numeric = await as().post('/rules', {
        ruleset_id: rulesetId,
        event_type: 'Page View',
        weight: 1,
        filters: [{ key: 'duration', operator: 'gt', value: 'long' }],
      });
      expect(numeric.status).toBe(400);
      expect(numeric.body.details[0]).toEqual({ field: 'filters[0].value', reason: 'must be numeric for gt' });
      expect((await as().post('/rules', { ruleset_id: rulesetId, weight: 1 })).body.details[0].field).toBe('event_type');
      const window = await as().post('/rules', {
        ruleset_id: rulesetId,
        event_type: 'Page View',
        weight: 1,
        start_at: '2025-02-01T00:00:00Z',
        end_at: '2025-01-01T00:00:00Z',
      });
      expect(window.body.details[0].field).toBe('end_at');
      expect((await as().get(`/rulesets/${rulesetId}/rules`)).body).toEqual([]);
    });

    it('allows one rule per event type and filter set (409 for a twin, whatever the spelling)', async () => {
      const plain = await as().post('/rules', { ruleset_id: rulesetId, event_type: 'Page View', weight: 1 }).expect(201);
      const twin = await as().post('/rules', { ruleset_id: rulesetId, event_type: 'page_view', weight: 3 });
      expect(twin.status).toBe(409);
      expect(twin.body.error).toBe('duplicate_rule');
      const pricing = await as()
        .post('/rules', {
          ruleset_id: rulesetId,
          event_type: 'Page View',
          weight: 10,
          half_life_days: 14,
          filters: [{ key: 'path', operator: 'contains', value: '/pricing' }],
        })
        .expect(201);
      expect(pricing.body).toMatchObject({ priority: 1, half_life_days: 14, filter_label: 'path contains /pricing' });
      expect(plain.body.priority).toBe(0);
    });

    it('updates partially, clears a half-life with null, and refuses to create a twin by update', async () => {
      const rules = (await as().get(`/engagement-scoring/rulesets/${rulesetId}/rules`)).body;
      const pricing = rules.find((r: { filter_label: string | null }) => r.filter_label);
      const updated = await as().put(`/rules/${pricing.rule_id}`, { weight: 25, half_life_days: null }).expect(200);
      expect(updated.body).toMatchObject({
        rule_id: pricing.rule_id,
        weight: 25,
        half_life_days: null,
        event_type: 'Page View',
        filter_label: 'path contains /pricing',
        updated_by: expect.stringMatching(/^service_account:/),
      });
      const clash = await as().put(`/engagement-scoring/rules/${pricing.rule_id}`, { filters: [] });
      expect(clash.status).toBe(409);
      expect((await as().put(`/rules/${pricing.rule_id}`, { weight: 1.5 })).status).toBe(400);
      expect((await as().put('/rules/rl_nope', { weight: 1 })).status).toBe(404);
    });

    it('reorders atomically with every rule listed once, and the order changes priority', async () => {
      const before = (await as().get(`/rulesets/${rulesetId}/rules`)).body.map((r: { rule_id: string }) => r.rule_id);
      expect(before).toHaveLength(2);
      await as()
        .put(`/engagement-scoring/rulesets/${rulesetId}/reorder`, { rule_ids: [...before].reverse() })
        .expect(204);
      const after = (await as().get(`/rulesets/${rulesetId}/rules`)).body;
      expect(after.map((r: { rule_id: string }) => r.rule_id)).toEqual([...before].reverse());
      expect(after.map((r: { priority: number }) => r.priority)).toEqual([0, 1]);
      for (const bad of [[before[0]], [...before, 'rl_other'], [before[0], before[0], before[1]]]) {
        const res = await as().put(`/rulesets/${rulesetId}/reorder`, { rule_ids: bad });
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_reorder');
      }
      expect((await as().put(`/rulesets/${rulesetId}/reorder`, { rule_ids: [] })).status).toBe(400);
      expect((await as().get(`/rulesets/${rulesetId}/rules`)).body.map((r: { rule_id: string }) => r.rule_id)).toEqual([...before].reverse());
    });

    it('deletes rules and rulesets (with their rules)', async () => {
      const rules = (await as().get(`/rulesets/${rulesetId}/rules`)).body;
      await as().delete(`/rules/${rules[0].rule_id}`).expect(204);
      expect((await as().delete(`/rules/${rules[0].rule_id}`)).status).toBe(404);
      await as().delete(`/engagement-scoring/rulesets/${rulesetId}`).expect(204);
      expect((await as().get(`/rulesets/${rulesetId}/rules`)).status).toBe(404);
      expect((await as().get('/engagement-scoring/rules')).body.some((r: { ruleset_id: string }) => r.ruleset_id === rulesetId)).toBe(false);
      expect((await as().delete(`/rulesets/${rulesetId}`)).status).toBe(404);
    });
  });

  it("hides one OU's rulesets and rules from every other OU (404)", async () => {
    const rs = (await as().post('/rulesets', { name: 'Private' }).expect(201)).body.ruleset_id;
    const rule = (await as().post('/rules', { ruleset_id: rs, event_type: 'Webinar', weight: 7 }).expect(201)).body.rule_id;
    const intruder = api(t, b.admin);
    expect((await intruder.get(`/engagement-scoring/rulesets/${rs}/rules`)).status).toBe(404);
    expect((await intruder.put(`/rules/${rule}`, { weight: 1 })).status).toBe(404);
    expect((await intruder.delete(`/rules/${rule}`)).status).toBe(404);
    expect((await intruder.delete(`/rulesets/${rs}`)).status).toBe(404);
    expect((await intruder.post('/rules', { ruleset_id: rs, event_type: 'X', weight: 1 })).status).toBe(404);
    expect((await intruder.put(`/engagement-scoring/rulesets/${rs}/reorder`, { rule_ids: [rule] })).status).toBe(404);
    expect(JSON.stringify((await intruder.get('/engagement-scoring/rules')).body)).not.toContain(rule);
    expect((await as().get(`/rulesets/${rs}/rules`)).body[0].weight).toBe(7);
  });

  it('is event-sourced: changes are events, the read model rebuilds to the same rows, mutations are audited', async () => {
    const ds = t.app.get(DataSource);
    const types = (await ds.query(`SELECT DISTINCT event_type FROM event_store_events WHERE stream_type = 'ruleset'`)).map(
      (r: { event_type: string }) => r.event_type,
    );
    expect(types).toEqual(
      expect.arrayContaining(['RulesetCreated', 'RulesetUpdated', 'RulesetDeleted', 'RuleAdded', 'RuleUpdated', 'RuleRemoved', 'RulesReordered']),
    );
    const [meta] = await ds.query(`SELECT metadata FROM event_store_events WHERE stream_type = 'ruleset' ORDER BY global_position LIMIT 1`);
    expect(meta.metadata).toMatchObject({ org_id: a.orgId, unit_id: 'unit_default', actor: expect.stringMatching(/^service_account:/) });
    const dump = async () => ({ rulesets: await ds.query(`SELECT * FROM rulesets ORDER BY id`), rules: await ds.query(`SELECT * FROM rules ORDER BY id`) });
    const live = await dump();
    await t.app.get(ProjectionRebuilder).rebuild('rulesets');
    expect(await dump()).toEqual(live);
    await t.app.get(AuditWriter).flush();
    const summaries = (await ds.query(`SELECT summary FROM audit_logs WHERE entity_type IN ('rule', 'ruleset')`)).map((r: { summary: string }) => r.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.stringContaining("created scoring rule 'demo_request' (50 points)"),
        expect.stringContaining("created engagement ruleset 'Q1 2025 Campaign'"),
      ]),
    );
  });
});
