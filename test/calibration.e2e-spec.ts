import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { ingestAndWait, scoreOf } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';

const NOW = new Date('2026-11-02T12:00:00.000Z');
const D = 86_400_000;
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

/**
 * Calibration (CAL-1..11) on data ingested through the real pipeline: 80 leads of OU A, all viewing a page; 40 of them
 * (plan "pro") request a demo and 30 of those sign up; 10 others look at pricing; 4 others sign up. The conversion is
 * event_type_match "Signed Up" (no rule scores it). Hand-computed: cohort 80, conversions 34, baseline 0.425;
 * Demo Request: 40 leads, 30 converted → rule_cr 0.75, raw lift 1.7647, shrunk (40 × 1.7647 + 30) / 70 = 1.437, low →
 * round(20 × 1.437) = 29; Page View: 80 leads, lift 1 → 10; Pricing: 10 leads, 0 converted → insufficient, no
 * suggestion; Webinar: nobody → never_computed. Page View shares all its leads with Demo Request and Pricing (100 %).
 */
describe('Calibration', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let ds: DataSource;
  let viewer: Auth;
  const as = () => api(t, sa.auth);
  const ops = 'Basic ' + Buffer.from('admin:ops-secret').toString('base64');

  let engagement: { id: string; rules: string[] };
  let pageView: string, demo: string, pricing: string, webinar: string;
  let profile: string, pro: string, free: string;
  let account: string, saas: string;
  let ruleOfB: string, rulesetOfB: string;

  const calibration = (rulesetId: string, ruleId: string, qs = '', dim = 'engagement', auth: Auth = sa.auth) =>
    api(t, auth).get(`/${dim}-scoring/rulesets/${rulesetId}/rules/${ruleId}/calibration${qs}`);
  const apply = (ruleId: string, dim = 'engagement', auth: Auth = sa.auth) => api(t, auth).post(`/${dim}-scoring/rules/${ruleId}/calibration/apply`, {});
  const weightOf = async (rulesetId: string, ruleId: string, dim = 'engagement') => {
    const path = dim === 'engagement' ? `/rulesets/${rulesetId}/rules` : `/${dim}-scoring/rulesets/${rulesetId}/rules`;
    const rules = (await as().get(path).expect(200)).body as { rule_id?: string; id?: string; weight: number }[];
    return rules.find((r) => (r.rule_id ?? r.id) === ruleId)!.weight;
  };
  const definition = { conversion_type: 'event_type_match', event_type_id: 'Signed Up', lookback_days: 30 };

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({
      now: NOW,
      rival: 'Calibration Rivals',
      serviceAccount: 'calibration-tests',
      env: { QUEUE_DASHBOARD_PASSWORD: 'ops-secret', SCHEDULER_ENABLED: false, SCHEDULED_JOB_RUN_WAIT_MS: 30_000 },
    }));
    ds = t.app.get(DataSource);
    viewer = (await memberWithRole(t, a, 'viewer@calibration.example', 'Viewer')).auth;
    await as().put('/settings/ou/surge-session-policy', { mode: 'off' }).expect(200);
    engagement = await createRuleset(t, sa.auth, 'Calibrated', [
      { event_type: 'Page View', weight: 10 },
      { event_type: 'Demo Request', weight: 20 },
      { event_type: 'Pricing', weight: 5 },
      { event_type: 'Webinar', weight: 3 },
    ]);
    [pageView, demo, pricing, webinar] = engagement.rules;
    profile = (await as().post('/profile-scoring/rulesets', { name: 'Fit' }).expect(201)).body.id;
    const profileRule = async (value: string) =>
      (
        await as()
          .post(`/profile-scoring/rulesets/${profile}/rules`, { profile_property: 'plan', condition: 'equals', comparison_value: value, weight: 10 })
          .expect(201)
      ).body.id as string;
    pro = await profileRule('pro');
    free = await profileRule('free');

    const events: object[] = [];
    for (let i = 0; i < 80; i++) {
      const lead = `cal-${i}`;
      const isDemo = i < 40;
      await as()
        .post('/leads', { id: lead, metadata: { plan: isDemo ? 'pro' : 'free' } })
        .expect(201);
      const at = (h: number) => iso(-h * 3_600_000 - i * 60_000);
      events.push({ lead_id: lead, event_type: 'Page View', timestamp: at(48) });
      if (isDemo) events.push({ lead_id: lead, event_type: 'Demo Request', timestamp: at(24) });
      if (i >= 40 && i < 50) events.push({ lead_id: lead, event_type: 'Pricing', timestamp: at(24) });
      if ((isDemo && i < 30) || i >= 76) events.push({ lead_id: lead, event_type: 'Signed Up', timestamp: at(2) });
    }
    for (let i = 0; i < events.length; i += 20) await ingestAndWait(t, sa.auth, events.slice(i, i + 20));

    // account and deal rules: the 40 demo leads belong to account "acme" (SaaS) with a closed-won deal. The account
    // read model is written directly (as account grouping would); there is no deal ruleset API yet, so the deal
    // ruleset and rule go straight into the rulesets read model the engine reads.
    await activateOu(t, a.admin, a.unitId);
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    account = (await as().post('/account-scoring/rulesets', { name: 'Accounts' }).expect(201)).body.id;
    saas = (
      await as()
        .post(`/account-scoring/rulesets/${account}/rules`, { account_property: 'industry', condition: 'equals', comparison_value: 'saas', weight: 10 })
        .expect(201)
    ).body.id;
    await ds.query(
      `INSERT INTO accounts (id, org_id, unit_id, account_id, group_key, name, metadata, created_at, updated_at)
       VALUES ('acc-acme', $1, $2, 'acme', 'acme', 'Acme', '{"industry": "SaaS"}', now(), now())`,
      [a.orgId, a.unitId],
    );
    await ds.query(`UPDATE leads SET account_ref = 'acc-acme' WHERE unit_id = $1 AND lead_id = ANY($2)`, [
      a.unitId,
      Array.from({ length: 40 }, (_, i) => `cal-${i}`),
    ]);
    await ds.query(
      `INSERT INTO deals (id, org_id, unit_id, name, stage, account_id, properties, closed_at, created_at, updated_at)
       VALUES ('6f1c1d2e-0000-4000-8000-0000000000ca', $1, $2, 'Acme deal', 'closedwon', 'acme', '{"pipeline": "default"}', $3, $3, $3)`,
      [a.orgId, a.unitId, iso(-D)],
    );
    await ds.query(
      `INSERT INTO rulesets (id, org_id, unit_id, dimension, name, score_column, active, created_at, updated_at) VALUES ('rs-deal', $1, $2, 'deal', 'Deals', 'deal_score', true, now(), now())`,
      [a.orgId, a.unitId],
    );
    await ds.query(
      `INSERT INTO rules (id, ruleset_id, org_id, unit_id, dimension, property, condition, comparison_value, weight, active, priority, created_at, updated_at)
       VALUES ('rl-deal-won', 'rs-deal', $1, $2, 'deal', 'stage', 'equals', 'closedwon', 5, true, 0, now(), now())`,
      [a.orgId, a.unitId],
    );

    // OU B: a rule and 3 scored leads (too few for a cohort)
    const rsB = await createRuleset(t, b.admin, 'B rules', [{ event_type: 'Page View', weight: 7 }]);
    rulesetOfB = rsB.id;
    ruleOfB = rsB.rules[0];
    await ingestAndWait(
      t,
      b.admin,
      [1, 2, 3].map((n) => ({ aliases: [{ alias_kind: 'email', raw_value: `b${n}@rival.example` }], event_type: 'Page View', timestamp: iso(-D) })),
    );
  }, 180_000);
  afterAll(() => t.close());

  describe('before a conversion definition', () => {
    it('answers no_conversion_definition, and apply refuses 400 no_conversion_definition', async () => {
      const res = await calibration(engagement.id, demo).expect(200);
      expect(res.body).toEqual({
        state: 'no_conversion_definition',
        required_action: 'set_definition_in_ou_settings',
        leads_scored: 0,
        leads_required: 50,
        rule_id: demo,
        ruleset_id: engagement.id,
        dimension: 'engagement',
        current_weight: 20,
        suggested_weight: null,
        sample_size: null,
        conversions_count: null,
        baseline_cr: null,
        rule_cr: null,
        raw_lift: null,
        shrunk_lift: null,
        confidence: null,
        co_occurrence_warnings: [],
        computed_at: null,
        stale: false,
      });
      expect((await apply(demo).expect(400)).body.error).toBe('no_conversion_definition');
      const list = await as().get(`/engagement-scoring/rulesets/${engagement.id}/calibrations`).expect(200);
      expect(list.body).toEqual({ ruleset_id: engagement.id, dimension: 'engagement', runs: [] });
    });

    it('GET definition answers null with a cold-start state, without HubSpot freshness; DELETE answers 404 rule_not_found', async () => {
      const res = await as().get('/settings/ou/conversion-definition').expect(200);
      expect(res.body).toEqual({
        definition: null,
        cold_start_state: { eligible: false, conversions_observed: 0, conversions_required: 30, leads_scored: 0, leads_required: 50, phase: 'no_definition' },
      });
      expect((await as().delete('/settings/ou/conversion-definition').expect(404)).body.error).toBe('rule_not_found');
    });
  });

  describe('conversion definition (CAL-1, CAL-2)', () => {
    const put = (body: object, auth: Auth = sa.auth) => api(t, auth).put('/settings/ou/conversion-definition', body);

    it.each([
      [{ conversion_type: 'sales_disposition' }, 'conversion_type'],
      [{ conversion_type: 'won' }, 'conversion_type'],
      [{ conversion_type: 'closed_won' }, 'deal_stages'],
      [{ conversion_type: 'deal_stage_reached', deal_stages: [] }, 'deal_stages'],
      [{ conversion_type: 'event_type_match' }, 'event_type_id'],
      [{ conversion_type: 'event_type_match', event_type_id: 'Never Seen' }, 'event_type_id'],
      [{ conversion_type: 'engagement_persistence', engagement_persistence_days: 6 }, 'engagement_persistence_days'],
      [{ conversion_type: 'engagement_persistence', engagement_persistence_days: 61 }, 'engagement_persistence_days'],
      [{ conversion_type: 'manual_label', lookback_days: 29 }, 'lookback_days'],
      [{ conversion_type: 'manual_label', lookback_days: 366 }, 'lookback_days'],
      [{ conversion_type: 'manual_label', lookback_days: 90.5 }, 'lookback_days'],
    ])('refuses %j naming %s, and writes nothing', async (body, field) => {
      const res = await put(body).expect(400);
      expect(JSON.stringify(res.body)).toContain(field);
      expect((await as().get('/settings/ou/conversion-definition').expect(200)).body.definition).toBeNull();
    });

    it('checks deal stages against the synced pipelines only when the OU has some', async () => {
      const unchecked = await put({ conversion_type: 'closed_won', deal_stages: ['anything'] }).expect(200);
      expect(unchecked.body).toMatchObject({
        conversion_type: 'closed_won',
        deal_stages: ['anything'],
        event_type_id: null,
        engagement_persistence_days: 14,
        lookback_days: 90,
      });
      await ds.query(
        `INSERT INTO deal_pipelines (unit_id, org_id, source, pipeline_id, label, stages, synced_at) VALUES ($1, $2, 'hubspot', 'default', 'Sales', $3::jsonb, now())`,
        [
          a.unitId,
          a.orgId,
          JSON.stringify([
            { id: 'closedwon', label: 'Closed Won', display_order: 5, is_closed: true, probability: 1 },
            { id: 'appointmentscheduled', label: 'Appointment', display_order: 0, is_closed: false, probability: 0.2 },
          ]),
        ],
      );
      const refused = await put({ conversion_type: 'deal_stage_reached', deal_stages: ['closedwon', 'nope'] }).expect(400);
      expect(refused.body.details).toEqual([{ field: 'deal_stages', reason: expect.stringContaining('nope') }]);
      const ok = await put({ conversion_type: 'deal_stage_reached', deal_stages: ['closedwon', 'appointmentscheduled'], lookback_days: 60 }).expect(200);
      expect(ok.body).toMatchObject({
        id: unchecked.body.id,
        unit_id: a.unitId,
        org_id: a.orgId,
        deal_stages: ['closedwon', 'appointmentscheduled'],
        lookback_days: 60,
      });
      await ds.query(`DELETE FROM deal_pipelines WHERE unit_id = $1`, [a.unitId]);
    });

    it('is a Viewer-read, Owner-write setting; no credential is 401', async () => {
      expect((await put(definition, viewer)).status).toBe(403);
      expect((await api(t, viewer).get('/settings/ou/conversion-definition')).status).toBe(200);
      expect((await request(t.http).get('/settings/ou/conversion-definition')).status).toBe(401);
      expect((await api(t, viewer).delete('/settings/ou/conversion-definition')).status).toBe(403);
    });

    it('PUT replaces; GET shows the cold-start state, and HubSpot freshness once a sync time is recorded', async () => {
      const res = await put(definition).expect(200);
      expect(res.body).toEqual({
        id: expect.any(String),
        org_id: a.orgId,
        unit_id: a.unitId,
        conversion_type: 'event_type_match',
        event_type_id: 'Signed Up',
        deal_stages: [],
        engagement_persistence_days: 14,
        lookback_days: 30,
        created_by: expect.any(String),
        created_at: NOW.toISOString(),
        updated_at: NOW.toISOString(),
      });
      const cold = { eligible: true, conversions_observed: 34, conversions_required: 30, leads_scored: 80, leads_required: 50, phase: 'warm' };
      expect((await as().get('/settings/ou/conversion-definition').expect(200)).body).toEqual({ definition: res.body, cold_start_state: cold });
      await ds.query(`INSERT INTO hubspot_connections (unit_id, org_id, status, created_at, updated_at) VALUES ($1, $2, 'connected', now(), now())`, [
        a.unitId,
        a.orgId,
      ]);
      expect((await as().get('/settings/ou/conversion-definition').expect(200)).body.hubspot_sync_freshness).toBeUndefined();
      await ds.query(`UPDATE hubspot_connections SET last_sync_at = $2 WHERE unit_id = $1`, [a.unitId, iso(-30 * 3_600_000)]);
      expect((await as().get('/settings/ou/conversion-definition').expect(200)).body.hubspot_sync_freshness).toEqual({
        last_sync_at: iso(-30 * 3_600_000),
        hours_since_sync: 30,
        stale: true,
        status: 'connected',
      });
    });
  });

  describe('per-rule calibration (CAL-3, CAL-4)', () => {
    it('is never_computed until a run, and insufficient_cohort on an OU with too few scored leads', async () => {
      expect((await calibration(engagement.id, demo).expect(200)).body).toMatchObject({
        state: 'never_computed',
        required_action: 'run_calibration',
        leads_scored: 80,
        computed_at: null,
      });
      await api(t, b.admin).put('/settings/ou/conversion-definition', { conversion_type: 'engagement_persistence' }).expect(200);
      expect((await calibration(rulesetOfB, ruleOfB, '', 'engagement', b.admin).expect(200)).body).toMatchObject({
        state: 'insufficient_cohort',
        required_action: 'wait_for_more_scored_leads',
        leads_scored: 3,
        leads_required: 50,
      });
      const forced = await calibration(rulesetOfB, ruleOfB, '?force=1', 'engagement', b.admin).expect(200);
      expect(forced.body).toMatchObject({
        state: 'insufficient_cohort',
        leads_scored: 3,
        computed_at: NOW.toISOString(),
        stale: false,
        suggested_weight: null,
      });
    });

    it('?force=1 computes every rule of the OU and persists: the exact figures of the cohort', async () => {
      const res = await calibration(engagement.id, demo, '?force=1').expect(200);
      expect(res.body).toEqual({
        state: 'ready',
        required_action: 'apply_suggested_weight',
        leads_scored: 80,
        leads_required: 50,
        rule_id: demo,
        ruleset_id: engagement.id,
        dimension: 'engagement',
        current_weight: 20,
        suggested_weight: 29,
        sample_size: 40,
        conversions_count: 30,
        baseline_cr: 0.425,
        rule_cr: 0.75,
        raw_lift: 1.7647,
        shrunk_lift: 1.437,
        confidence: 'low',
        co_occurrence_warnings: [{ rule_id: pageView, overlap_pct: 100 }],
        computed_at: NOW.toISOString(),
        stale: false,
      });
      // the other rules come from the same run, without recomputing
      const page = (await calibration(engagement.id, pageView).expect(200)).body;
      expect(page).toMatchObject({
        state: 'ready',
        sample_size: 80,
        conversions_count: 34,
        raw_lift: 1,
        shrunk_lift: 1,
        suggested_weight: 10,
        required_action: null,
      });
      expect(page.co_occurrence_warnings).toEqual(
        [
          { rule_id: demo, overlap_pct: 100 },
          { rule_id: pricing, overlap_pct: 100 },
        ].sort((x, y) => x.rule_id.localeCompare(y.rule_id)),
      );
      expect(page.suggested_weight).toBeLessThan(29);
      expect((await calibration(engagement.id, pricing).expect(200)).body).toMatchObject({
        state: 'ready',
        sample_size: 10,
        conversions_count: 0,
        rule_cr: 0,
        raw_lift: 0,
        shrunk_lift: 0.75,
        confidence: 'insufficient',
        suggested_weight: null,
        required_action: 'wait_for_more_data',
      });
      expect((await calibration(engagement.id, webinar).expect(200)).body).toMatchObject({
        state: 'never_computed',
        required_action: 'wait_for_rule_activity',
        computed_at: NOW.toISOString(),
      });
      const runs = await ds.query(`SELECT ruleset_id, trigger FROM calibration_runs WHERE unit_id = $1 AND ruleset_id = ANY($2)`, [
        a.unitId,
        [engagement.id, profile],
      ]);
      expect(runs.map((r: { ruleset_id: string }) => r.ruleset_id).sort()).toEqual([engagement.id, profile].sort());
    });

    it('profile rules: a lead triggers a rule its attributes match', async () => {
      const res = await calibration(profile, pro, '', 'profile').expect(200);
      expect(res.body).toMatchObject({
        state: 'ready',
        dimension: 'profile',
        ruleset_id: profile,
        current_weight: 10,
        sample_size: 40,
        conversions_count: 30,
        rule_cr: 0.75,
        raw_lift: 1.7647,
        shrunk_lift: 1.437,
        confidence: 'low',
        suggested_weight: 14,
        co_occurrence_warnings: [],
      });
      // free: 40 leads, 4 converted → 0.1, lift 0.2353, shrunk (9.4118 + 30) / 70 = 0.563, under 5 conversions → insufficient
      expect((await calibration(profile, free, '', 'profile').expect(200)).body).toMatchObject({
        sample_size: 40,
        conversions_count: 4,
        raw_lift: 0.2353,
        shrunk_lift: 0.563,
        confidence: 'insufficient',
        suggested_weight: null,
      });
    });

    it('account rules: a lead triggers what its account matches; deal rules: what a deal of its account matches', async () => {
      const figures = { state: 'ready', sample_size: 40, conversions_count: 30, rule_cr: 0.75, raw_lift: 1.7647, shrunk_lift: 1.437, confidence: 'low' };
      expect((await calibration(account, saas, '', 'account').expect(200)).body).toMatchObject({ ...figures, dimension: 'account', suggested_weight: 14 });
      expect((await calibration('rs-deal', 'rl-deal-won', '', 'deal').expect(200)).body).toMatchObject({ ...figures, dimension: 'deal', suggested_weight: 7 });
    });

    it('lists the ruleset’s runs with the rules’ current names and weights (CAL-5)', async () => {
      const res = await as().get(`/engagement-scoring/rulesets/${engagement.id}/calibrations`).expect(200);
      expect(res.body.conversion_definition_summary).toEqual({
        conversion_type: 'event_type_match',
        event_type_id: 'Signed Up',
        deal_stages: [],
        engagement_persistence_days: 14,
        lookback_days: 30,
        updated_at: NOW.toISOString(),
      });
      expect(res.body.runs).toHaveLength(1);
      const [run] = res.body.runs;
      expect(run).toMatchObject({
        computed_at: NOW.toISOString(),
        stale: false,
        trigger: 'force',
        conversion_type: 'event_type_match',
        cohort_size: 80,
        conversions: 34,
        baseline_cr: 0.425,
      });
      expect(run.rules.find((r: { rule_id: string }) => r.rule_id === demo)).toEqual({
        rule_id: demo,
        name: 'Demo Request',
        current_weight: 20,
        weight_at_run: 20,
        suggested_weight: 29,
        sample_size: 40,
        conversions_count: 30,
        rule_cr: 0.75,
        raw_lift: 1.7647,
        shrunk_lift: 1.437,
        confidence: 'low',
        co_occurrence_warnings: [{ rule_id: pageView, overlap_pct: 100 }],
      });
      expect(run.rules).toHaveLength(4);
      const profileList = await as().get(`/profile-scoring/rulesets/${profile}/calibrations`).expect(200);
      expect(profileList.body.runs[0].rules.map((r: { name: string }) => r.name).sort()).toEqual(['plan equals free', 'plan equals pro']);
      // a ruleset of another dimension or OU is not found
      expect((await as().get(`/profile-scoring/rulesets/${engagement.id}/calibrations`).expect(404)).body.error).toBe('ruleset_not_found');
      expect((await api(t, b.admin).get(`/engagement-scoring/rulesets/${engagement.id}/calibrations`).expect(404)).body.error).toBe('ruleset_not_found');
    });

    it('another OU’s rule, or a rule of another ruleset or dimension, is 404 rule_not_found', async () => {
      expect((await calibration(engagement.id, ruleOfB).expect(404)).body.error).toBe('rule_not_found');
      expect((await calibration(rulesetOfB, ruleOfB).expect(404)).body.error).toBe('rule_not_found');
      expect((await calibration(profile, demo).expect(404)).body.error).toBe('rule_not_found');
      expect((await calibration(engagement.id, demo, '', 'profile').expect(404)).body.error).toBe('rule_not_found');
      expect((await calibration(engagement.id, demo, '?force=2').expect(400)).body.details).toEqual([expect.objectContaining({ field: 'force' })]);
      expect((await request(t.http).get(`/engagement-scoring/rulesets/${engagement.id}/rules/${demo}/calibration`)).status).toBe(401);
    });

    it('account rules answer 403 abm_disabled while the organization has ABM off, as their rulesets do', async () => {
      // organization B never turned ABM on
      for (const [method, path] of [
        ['get', `/account-scoring/rulesets/${account}/rules/${saas}/calibration`],
        ['get', `/account-scoring/rulesets/${account}/calibrations`],
        ['post', `/account-scoring/rules/${saas}/calibration/apply`],
      ] as const) {
        const res = await api(t, b.admin)[method](path, {});
        expect([path, res.status, res.body.error]).toEqual([path, 403, 'abm_disabled']);
      }
    });
  });

  describe('apply (CAL-6)', () => {
    it('refuses another OU’s rule (404), a rule never computed, and an insufficient sample, changing nothing', async () => {
      expect((await apply(ruleOfB).expect(404)).body.error).toBe('rule_not_found');
      expect((await apply(demo, 'profile').expect(404)).body.error).toBe('rule_not_found');
      expect((await apply(webinar).expect(400)).body.error).toBe('never_computed');
      expect((await apply(pricing).expect(400)).body.error).toBe('insufficient_sample');
      expect((await apply(demo, 'engagement', viewer)).status).toBe(403);
      expect((await request(t.http).post(`/engagement-scoring/rules/${demo}/calibration/apply`)).status).toBe(401);
      expect(await weightOf(engagement.id, demo)).toBe(20);
      expect(await weightOf(engagement.id, pricing)).toBe(5);
    });

    it('writes the suggested weight and its audit entry; later scoring uses the new weight', async () => {
      const res = await apply(demo).expect(200);
      expect(res.body).toEqual({ prior_weight: 20, new_weight: 29, audit_id: expect.stringMatching(/^\d+$/) });
      expect(await weightOf(engagement.id, demo)).toBe(29);
      const [entry] = await ds.query(`SELECT * FROM audit_logs WHERE id = $1`, [res.body.audit_id]);
      expect(entry).toMatchObject({
        org_id: a.orgId,
        unit_id: a.unitId,
        actor_type: 'service_account',
        method: 'POST',
        path: `/engagement-scoring/rules/${demo}/calibration/apply`,
        status: 200,
        verb: 'updated',
        entity_type: 'rule',
        entity_id: demo,
      });
      expect(entry.summary).toContain("applied calibration to engagement rule 'Demo Request': weight 20 → 29");
      expect(entry.summary).toContain('confidence low');
      // one entry for the successful request, not two (the middleware's generic one is not written)
      await t.app.get(AuditWriter).flush();
      const n = await ds.query(`SELECT count(*)::int AS n FROM audit_logs WHERE path = $1 AND status = 200`, [
        `/engagement-scoring/rules/${demo}/calibration/apply`,
      ]);
      expect(n[0].n).toBe(1);
      // the ready state shows the rule at its new weight, nothing left to apply
      expect((await calibration(engagement.id, demo).expect(200)).body).toMatchObject({ current_weight: 29, suggested_weight: 29, required_action: null });

      await as().post('/leads', { id: 'cal-after' }).expect(201);
      await ingestAndWait(t, sa.auth, { lead_id: 'cal-after', event_type: 'Demo Request', timestamp: NOW.toISOString() });
      expect(await scoreOf(t, sa.auth, 'cal-after', engagement.id)).toBe(29);
    });

    it('applies a profile rule through the ruleset too', async () => {
      const res = await apply(pro, 'profile').expect(200);
      expect(res.body).toMatchObject({ prior_weight: 10, new_weight: 14 });
      expect(await weightOf(profile, pro, 'profile')).toBe(14);
      expect((await apply(free, 'profile').expect(400)).body.error).toBe('insufficient_sample');
    });

    it('a run older than 14 days is stale: shown as such, and apply answers 409 stale_calibration', async () => {
      t.clock.set(new Date(NOW.getTime() + 15 * D));
      try {
        expect((await calibration(engagement.id, pageView).expect(200)).body).toMatchObject({
          state: 'ready',
          stale: true,
          required_action: 'recompute_calibration',
        });
        expect((await apply(pageView).expect(409)).body.error).toBe('stale_calibration');
        expect(await weightOf(engagement.id, pageView)).toBe(10);
        const list = (await as().get(`/engagement-scoring/rulesets/${engagement.id}/calibrations`).expect(200)).body;
        expect(list.runs[0].stale).toBe(true);
      } finally {
        t.clock.set(NOW);
      }
    });

    it('a definition changed after the run makes the rule never_computed again', async () => {
      t.clock.set(new Date(NOW.getTime() + 60_000));
      try {
        await as().put('/settings/ou/conversion-definition', definition).expect(200);
        expect((await calibration(engagement.id, demo).expect(200)).body).toMatchObject({ state: 'never_computed', required_action: 'run_calibration' });
        expect((await apply(demo).expect(400)).body.error).toBe('never_computed');
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('calibration.run (contracts §1)', () => {
    it('recomputes every ruleset of every OU with a definition, run by hand like its weekly tick', async () => {
      t.clock.set(new Date(NOW.getTime() + 2 * 60_000));
      try {
        const res = await request(t.http).post('/admin/scheduled-jobs/calibration.run/run').set('Authorization', ops).expect(200);
        expect(res.body).toMatchObject({ name: 'calibration.run', status: 'succeeded', result: { units: 2, units_failed: 0, rulesets: expect.any(Number) } });
        const ready = (await calibration(engagement.id, demo).expect(200)).body;
        // Demo Request now weighs 29 and the cal-after lead joined the cohort (81 leads, 41 demo leads, 30 converted)
        expect(ready).toMatchObject({ state: 'ready', current_weight: 29, sample_size: 41, conversions_count: 30, stale: false });
        const [run] = (await as().get(`/engagement-scoring/rulesets/${engagement.id}/calibrations`).expect(200)).body.runs;
        expect(run).toMatchObject({ trigger: 'manual', cohort_size: 81, conversions: 34 });
        const jobs = (await request(t.http).get('/admin/scheduled-jobs').set('Authorization', ops).expect(200)).body;
        expect(jobs.find((j: { name: string }) => j.name === 'calibration.run')).toMatchObject({ cron: '30 3 * * 1', last_status: 'succeeded' });
      } finally {
        t.clock.set(NOW);
      }
    });

    it('counts conversions per type: closed_won by the deals of the lead’s account, manual_label, engagement_persistence', async () => {
      t.clock.set(new Date(NOW.getTime() + 3 * 60_000));
      const observed = async (body: object) => {
        await as().put('/settings/ou/conversion-definition', body).expect(200);
        return (await as().get('/settings/ou/conversion-definition').expect(200)).body.cold_start_state;
      };
      try {
        // the 40 leads of acme (closed-won yesterday); a stage the deal is not in counts nobody
        expect(await observed({ conversion_type: 'closed_won', deal_stages: ['ClosedWon'] })).toMatchObject({
          conversions_observed: 40,
          leads_scored: 81,
          eligible: true,
        });
        expect(await observed({ conversion_type: 'deal_stage_reached', deal_stages: ['appointmentscheduled'] })).toMatchObject({
          conversions_observed: 0,
          eligible: false,
        });
        // manual_label: leads whose attribute `converted` is true
        for (const id of ['cal-1', 'cal-2', 'cal-50']) await as().patch(`/lead/${id}/metadata`, { converted: true }).expect(200);
        await as().patch('/lead/cal-3/metadata', { converted: 'no' }).expect(200);
        expect(await observed({ conversion_type: 'manual_label' })).toMatchObject({ conversions_observed: 3, phase: 'warming_up' });
        // engagement_persistence: every lead's scored events span two days at most
        expect(await observed({ conversion_type: 'engagement_persistence', engagement_persistence_days: 7 })).toMatchObject({ conversions_observed: 0 });
      } finally {
        t.clock.set(NOW);
      }
    });

    it('DELETE removes the definition; the rule answers no_conversion_definition again', async () => {
      await as().delete('/settings/ou/conversion-definition').expect(204);
      expect((await calibration(engagement.id, demo).expect(200)).body.state).toBe('no_conversion_definition');
      expect((await as().get(`/engagement-scoring/rulesets/${engagement.id}/calibrations`).expect(200)).body.conversion_definition_summary).toBeUndefined();
    });
  });
});
