import { DataSource } from 'typeorm';
import { samplePlan, sampleDay, SAMPLE_RULES } from '../src/modules/admin/sample-data/sample-catalog';
import { createRuleset } from './support/rulesets';
import { ingestAndWait } from './support/ingest';
import { activateOu, anotherTenant, api, Auth, firstRunTenant, memberWithRole, Tenant } from './support/tenants';
import { eventually, startTestApp, TestApp } from './support/test-app';

const NOW = '2025-08-15T10:30:00.000Z';
const PLAN = samplePlan(sampleDay(new Date(NOW)));
const COMPANIES = PLAN.account_ids.length;

describe('Sample data (POST/DELETE /admin/seed)', () => {
  let t: TestApp;
  let ds: DataSource;
  let a: Tenant;
  let b: Tenant;
  let viewerA: Auth;
  let operatorA: Auth;

  /** Rows of the OU in the read models, without internal ids or times of processing: equal samples dump equal. */
  const dump = async (unitId: string) => {
    const q = (text: string) => ds.query(text, [unitId]);
    return {
      leads: await q(`SELECT lead_id, metadata, round(score::numeric, 6) AS score, engagement_level, status FROM leads WHERE unit_id = $1 ORDER BY lead_id`),
      aliases: await q(`SELECT l.lead_id, a.kind, a.value FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.unit_id = $1 ORDER BY 1, 2, 3`),
      events: await q(
        `SELECT l.lead_id, e.event_type, e.occurred_at, e.metadata FROM lead_events e JOIN leads l ON l.id = e.lead_ref WHERE e.unit_id = $1 ORDER BY 1, 3, 2, 4::text`,
      ),
      scores: await q(
        `SELECT l.lead_id, r.name, round(s.score::numeric, 6) AS score, s.event_count FROM lead_scores s JOIN leads l ON l.id = s.lead_ref JOIN rulesets r ON r.id = s.ruleset_id
          WHERE s.unit_id = $1 ORDER BY 1, 2`,
      ),
      rulesets: await q(`SELECT name, score_column, is_primary, active FROM rulesets WHERE unit_id = $1 ORDER BY name`),
      rules: await q(
        `SELECT r.name, x.event_type, x.weight, x.half_life_days, x.filters, x.priority FROM rules x JOIN rulesets r ON r.id = x.ruleset_id WHERE x.unit_id = $1 ORDER BY 1, 6`,
      ),
      levels: await q(`SELECT kind, name, min_score, max_score, color, position FROM levels WHERE unit_id = $1 ORDER BY kind, min_score`),
      triggers: await q(`SELECT kind, name, description, score_threshold, active FROM triggers WHERE unit_id = $1 ORDER BY name`),
      accounts: await q(`SELECT account_id, name, domain, leads_count FROM accounts WHERE unit_id = $1 ORDER BY account_id`),
      segments: await q(
        `SELECT s.name, s.active, array_agg(r.rule_type || ' ' || r.field_name || ' ' || r.operator || ' ' || coalesce(r.value, '') ORDER BY r.order_index) AS rules
           FROM segments s JOIN segment_rules r ON r.segment_id = s.id WHERE s.unit_id = $1 GROUP BY s.id ORDER BY s.name`,
      ),
      items: await q(`SELECT kind, count(*)::int AS n FROM sample_data_items WHERE unit_id = $1 GROUP BY kind ORDER BY kind`),
    };
  };
  const count = async (text: string, unitId: string): Promise<number> => (await ds.query(text, [unitId]))[0].n;
  /** The worker recorded and projected every sample event, and grouped the sample leads into accounts (ABM on). */
  const settled = async (unitId: string, abm: boolean) =>
    eventually(
      async () =>
        (await count(`SELECT count(*)::int AS n FROM lead_events WHERE unit_id = $1 AND metadata->>'utm_campaign' IS NOT NULL`, unitId)) ===
          PLAN.events.length &&
        (!abm ||
          (await count(`SELECT count(*)::int AS n FROM leads WHERE unit_id = $1 AND lead_id LIKE 'sample_lead_%' AND account_ref IS NOT NULL`, unitId)) ===
            PLAN.leads.length),
      60_000,
      200,
    );
  /** Every lead the wipe queued for deletion is erased. */
  const erased = async (unitId: string) =>
    eventually(async () => (await count(`SELECT count(*)::int AS n FROM leads WHERE unit_id = $1 AND status <> 'active'`, unitId)) === 0, 60_000, 200);

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(NOW);
    ds = t.app.get(DataSource);
    a = await firstRunTenant(t);
    b = await anotherTenant(t, 'Other Org');
    await activateOu(t, a.admin, a.unitId);
    await activateOu(t, b.admin, b.unitId);
    viewerA = (await memberWithRole(t, a, 'viewer@first.example', 'Viewer')).auth;
    operatorA = (await memberWithRole(t, a, 'operator@first.example', 'Operator')).auth;
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
  }, 60_000);
  afterAll(async () => t?.close());

  it('the plan is deterministic and realistic (240 leads, a few thousand events over 30 days, hot leads asking for demos)', () => {
    expect(samplePlan(sampleDay(new Date(NOW)))).toEqual(PLAN);
    expect(PLAN.leads).toHaveLength(240);
    expect(PLAN.events.length).toBeGreaterThan(1000);
    expect(PLAN.events.length).toBeLessThan(5000);
    expect(COMPANIES).toBe(12);
    const day = sampleDay(new Date(NOW)).getTime();
    for (const e of PLAN.events) {
      expect(Date.parse(e.timestamp)).toBeLessThan(day);
      expect(Date.parse(e.timestamp)).toBeGreaterThanOrEqual(day - 30 * 86_400_000);
    }
    expect(new Set(PLAN.events.filter((e) => e.event_type === 'Demo Request').map((e) => e.lead_id)).size).toBeGreaterThan(5);
  });

  it('needs a credential (401), refuses a Viewer and an Operator (403) and writes nothing', async () => {
    for (const method of ['post', 'delete'] as const) {
      expect((await api(t)[method]('/admin/seed')).status).toBe(401);
      expect((await api(t, viewerA)[method]('/admin/seed')).status).toBe(403);
      expect((await api(t, operatorA)[method]('/admin/seed')).status).toBe(403);
    }
    expect(await count(`SELECT count(*)::int AS n FROM leads WHERE unit_id = $1`, a.unitId)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM sample_data_items WHERE unit_id = $1`, a.unitId)).toBe(0);
  });

  let first: Awaited<ReturnType<typeof dump>>;

  it('seeds the active OU through the real pipeline: counts, aliases, scores, levels, accounts', async () => {
    const bBefore = await dump(b.unitId);
    const started = Date.now();
    const res = await api(t, a.admin).post('/admin/seed').expect(201);
    const ms = Date.now() - started;
    expect(res.body).toEqual({ message: 'sample data seeded', output: expect.stringContaining(`${PLAN.events.length} events queued`) });
    expect(ms).toBeLessThan(15_000);
    await settled(a.unitId, true);

    const d = await dump(a.unitId);
    expect(d.leads).toHaveLength(240);
    expect(d.aliases).toHaveLength(240);
    expect(d.aliases.every((x: { kind: string }) => x.kind === 'email')).toBe(true);
    expect(d.leads[0].metadata).toEqual(expect.objectContaining({ job_title: expect.any(String), industry: expect.any(String), country: expect.any(String) }));
    expect(d.events).toHaveLength(PLAN.events.length);
    expect(d.rulesets).toEqual([{ name: 'Sample: Website & email engagement', score_column: 'sample_engagement', is_primary: true, active: true }]);
    expect(d.rules.map((r: { event_type: string; weight: number }) => [r.event_type, r.weight])).toEqual(SAMPLE_RULES.map((r) => [r.event_type, r.weight]));
    expect(d.levels.map((l: { name: string }) => l.name)).toEqual(['Cold', 'Warm', 'Hot']);
    expect(d.triggers).toEqual([expect.objectContaining({ kind: 'milestone', name: 'Sample: Lead turned hot', score_threshold: 60, active: false })]);
    expect(d.accounts).toHaveLength(COMPANIES);
    expect(d.accounts.reduce((n: number, x: { leads_count: number }) => n + x.leads_count, 0)).toBe(240);
    expect(d.items).toEqual([
      { kind: 'account', n: COMPANIES },
      { kind: 'lead', n: 240 },
      { kind: 'level', n: 3 },
      { kind: 'rule', n: 7 },
      { kind: 'ruleset', n: 1 },
      { kind: 'segment', n: 1 },
      { kind: 'trigger', n: 1 },
    ]);
    expect(d.segments).toEqual([
      {
        name: 'Sample: Warm or hot, looked at pricing',
        active: true,
        rules: ['engagement_level engagement_level not_equals Cold', 'event_metadata path contains /pricing'],
      },
    ]);
    // its membership is kept by the product: warm or hot leads with a pricing page view
    const expected = await count(
      `SELECT count(*)::int AS n FROM leads l WHERE l.unit_id = $1 AND l.engagement_level IN ('Warm', 'Hot')
          AND EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_ref = l.id AND e.event_type = 'Page View' AND e.metadata->>'path' LIKE '%/pricing%')`,
      a.unitId,
    );
    expect(expected).toBeGreaterThan(0);
    const [{ segment_id }] = (await api(t, a.admin).get('/segments').expect(200)).body;
    await eventually(async () => (await api(t, a.admin).get(`/segments/${segment_id}/count`).expect(200)).body.count === expected, 30_000, 200);
    // scored by the pipeline, classified by the levels; some hot leads
    expect(d.scores).toHaveLength(240);
    expect(d.leads.every((l: { score: string }) => Number(l.score) > 0)).toBe(true);
    expect(d.leads.every((l: { engagement_level: string | null }) => ['Cold', 'Warm', 'Hot'].includes(l.engagement_level!))).toBe(true);
    const hot = d.leads.filter((l: { engagement_level: string }) => l.engagement_level === 'Hot').length;
    expect(hot).toBeGreaterThan(3);
    expect(hot).toBeLessThan(60);
    // triggers skipped: no firing
    expect(await count(`SELECT count(*)::int AS n FROM milestone_events WHERE unit_id = $1`, a.unitId)).toBe(0);
    // another organization untouched
    expect(await dump(b.unitId)).toEqual(bBefore);
    first = d;
  }, 90_000);

  it('answers 409 sample_data_present to a second seed and changes nothing', async () => {
    const res = await api(t, a.admin).post('/admin/seed').expect(409);
    expect(res.body.error).toBe('sample_data_present');
    expect(await dump(a.unitId)).toEqual(first);
  });

  it('wipes exactly the sample (counts per kind), and a new seed the same day gives the identical sample', async () => {
    const res = await api(t, a.admin).delete('/admin/seed').expect(200);
    expect(res.body).toEqual({
      message: 'sample data wiped',
      deleted: { leads: 240, events: PLAN.events.length, accounts: COMPANIES, rulesets: 1, rules: 7, levels: 3, triggers: 1, segments: 1 },
    });
    await erased(a.unitId);
    const empty = await dump(a.unitId);
    expect(empty).toEqual({
      leads: [],
      aliases: [],
      events: [],
      scores: [],
      rulesets: [],
      rules: [],
      levels: [],
      triggers: [],
      accounts: [],
      segments: [],
      items: [],
    });
    // nothing left: a second wipe deletes nothing
    expect((await api(t, a.admin).delete('/admin/seed').expect(200)).body.deleted).toEqual({
      leads: 0,
      events: 0,
      accounts: 0,
      rulesets: 0,
      rules: 0,
      levels: 0,
      triggers: 0,
      segments: 0,
    });

    t.clock.set('2025-08-15T18:00:00.000Z'); // later the same day
    await api(t, a.admin).post('/admin/seed').expect(201);
    await settled(a.unitId, true);
    // the same data; only the scores decayed by the 7½ hours between the two computations (half-lives), so they are compared apart
    const unscored = (d: typeof first) => ({
      ...d,
      leads: d.leads.map(({ score: _s, engagement_level: _l, ...rest }: Record<string, unknown>) => rest),
      scores: d.scores.map(({ score: _s, ...rest }: Record<string, unknown>) => rest),
      accounts: d.accounts,
    });
    const again = await dump(a.unitId);
    expect(unscored(again)).toEqual(unscored(first));
    for (const [i, l] of again.leads.entries()) expect(Number(l.score)).toBeLessThanOrEqual(Number(first.leads[i].score));
  }, 120_000);

  it('keeps what the customer created: the OU after the wipe is the OU before the seed', async () => {
    // organization B: a customer ruleset (primary) with a rule and a scored customer lead, before any sample
    await createRuleset(t, b.admin, 'Customer scoring', [{ event_type: 'Page View', weight: 5 }]);
    await ingestAndWait(t, b.admin, { lead_id: undefined, aliases: [{ alias_kind: 'email', raw_value: 'jane@customer.example' }], event_type: 'Page View' });
    const before = await dump(b.unitId);
    expect(before.leads).toHaveLength(1);
    const aBefore = await dump(a.unitId);

    await api(t, b.admin).post('/admin/seed').expect(201);
    await settled(b.unitId, false);
    const seeded = await dump(b.unitId);
    expect(seeded.leads).toHaveLength(241);
    // the customer's ruleset stays primary; the sample one scores its own column
    expect(seeded.rulesets).toEqual([
      expect.objectContaining({ name: 'Customer scoring', is_primary: true }),
      expect.objectContaining({ name: 'Sample: Website & email engagement', is_primary: false }),
    ]);
    expect(seeded.scores.filter((s: { name: string; score: string }) => s.name.startsWith('Sample') && Number(s.score) > 0)).toHaveLength(240);
    expect(seeded.accounts).toEqual([]); // ABM off in B: no account grouped, none deleted

    const res = await api(t, b.admin).delete('/admin/seed').expect(200);
    expect(res.body.deleted).toEqual({ leads: 240, events: PLAN.events.length, accounts: 0, rulesets: 1, rules: 7, levels: 3, triggers: 1, segments: 1 });
    await erased(b.unitId);
    expect(await dump(b.unitId)).toEqual(before);
    // OU A (another organization) untouched by B's seed and wipe
    expect(await dump(a.unitId)).toEqual(aBefore);
  }, 120_000);

  it('audits both operations', async () => {
    await eventually(async () => {
      const rows = await ds.query(`SELECT method, verb, summary FROM audit_logs WHERE unit_id = $1 AND entity_type = 'sample_data' ORDER BY id`, [a.unitId]);
      return rows.length >= 4 && rows;
    });
    const rows = await ds.query(`SELECT method, path, status, verb, summary FROM audit_logs WHERE unit_id = $1 AND entity_type = 'sample_data' ORDER BY id`, [
      a.unitId,
    ]);
    expect(rows.map((r: { method: string; status: number }) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'DELETE 200', 'DELETE 200', 'POST 201']);
    expect(rows[1].summary).toContain(
      `wiped sample data: 240 leads, ${PLAN.events.length} events, ${COMPANIES} accounts, 1 rulesets, 7 rules, 3 levels, 1 triggers, 1 segments`,
    );
  });
});
