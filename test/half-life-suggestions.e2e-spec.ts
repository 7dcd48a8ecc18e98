import { DataSource } from 'typeorm';
import { Ruleset } from '../src/modules/rulesets/domain/ruleset.aggregate';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { AggregateRepository } from '../src/platform/event-store';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, Tenant } from './support/tenants';
import { TestApp } from './support/test-app';

describe('Half-life suggestions (HL-1..HL-4)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let viewer: Auth;
  let ds: DataSource;
  const as = () => api(t, a.admin);
  /** rule ids by name: pageView, demo, configured, custom, session-less */
  let rules: Record<string, string>;
  let dealRule: string;
  let foreignRule: string;

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ rival: 'Half Life Rival' }));
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@halflife.example', 'Viewer')).auth;
    const rs = await createRuleset(t, a.admin, 'Research', [
      { event_type: 'Page View', weight: 1 },
      { event_type: 'Demo Request', weight: 50 },
      { event_type: 'Email Click', weight: 5, half_life_days: 5 },
      { event_type: 'Custom Thing', weight: 3 },
      { event_type: 'Email Open', weight: 2 },
      { event_type: 'Trial Signup', weight: 20 },
    ]);
    rules = { pageView: rs.rules[0], demo: rs.rules[1], configured: rs.rules[2], custom: rs.rules[3], emailOpen: rs.rules[4], trial: rs.rules[5] };
    // deal rulesets have no HTTP surface yet: a deal ruleset and an attribute rule (DEAL-1) as the aggregate records them
    const at = new Date().toISOString();
    dealRule = 'rl_deal_page_view';
    await t.app.get(AggregateRepository).execute(Ruleset, 'rs_deal_test', { org_id: a.orgId, unit_id: a.unitId, actor: 'test', correlation_id: null }, (r) => {
      r.create({
        org_id: a.orgId,
        unit_id: a.unitId,
        dimension: 'deal',
        name: 'Deals',
        score_column: 'deal_score',
        is_primary: true,
        active: true,
        start_date: null,
        end_date: null,
        by: 'test',
        at,
      });
      r.addRule(
        dealRule,
        { property: 'stage', condition: 'equals', comparison_value: 'Closed Won', weight: 5, ui_order: null, rule_type: 'add_points', conditions: null },
        'test',
        at,
      );
    });
    foreignRule = (await createRuleset(t, b.admin, 'Theirs', [{ event_type: 'Page View', weight: 1 }])).rules[0];
  });
  afterAll(() => t.close());

  describe('GET /scoring/half-life-suggestions', () => {
    it('lists eligible engagement rules with their research default, and why the others are not', async () => {
      const res = await as().get('/scoring/half-life-suggestions').expect(200);
      expect(res.body.eligible_count).toBe(4);
      expect(res.body.ineligible_count).toBe(3);
      const byRule = Object.fromEntries(res.body.suggestions.map((s: { rule_id: string }) => [s.rule_id, s]));
      expect(byRule[rules.demo]).toEqual({
        rule_id: rules.demo,
        ruleset_id: expect.any(String),
        dimension: 'engagement',
        event_type: 'Demo Request',
        current_half_life_days: null,
        suggested_half_life_days: 90,
        source: 'paper-section-3',
        eligible: true,
      });
      expect([rules.pageView, rules.emailOpen, rules.trial].map((id) => [byRule[id].suggested_half_life_days, byRule[id].eligible])).toEqual([
        [14, true],
        [7, true],
        [60, true],
      ]);
      expect(byRule[rules.configured]).toMatchObject({
        current_half_life_days: 5,
        suggested_half_life_days: null,
        eligible: false,
        reason: 'already_configured',
      });
      expect(byRule[rules.custom]).toMatchObject({ suggested_half_life_days: null, eligible: false, reason: 'no_research_default' });
      expect(byRule[dealRule]).toMatchObject({ dimension: 'deal', eligible: false, reason: 'dimension_not_event_sourced' });
      // eligible first; another organization's rule is not listed
      expect(res.body.suggestions.slice(0, 4).every((s: { eligible: boolean }) => s.eligible)).toBe(true);
      expect(byRule[foreignRule]).toBeUndefined();
      expect((await as().get('/scoring/half-life-suggestions?dimension=engagement').expect(200)).body).toEqual(res.body);
      expect((await as().get('/scoring/half-life-suggestions?dimension=all').expect(200)).body).toEqual(res.body);
    });

    it('refuses the dimensions that do not decay by half-life (400 naming dimension)', async () => {
      for (const dimension of ['profile', 'account', 'deal', 'nonsense']) {
        const res = await as().get(`/scoring/half-life-suggestions?dimension=${dimension}`).expect(400);
        expect(res.body.details[0].field).toBe('dimension');
      }
    });

    it('needs a credential (401); a Viewer reads; another organization sees only its own rules', async () => {
      expect((await api(t).get('/scoring/half-life-suggestions')).status).toBe(401);
      expect((await api(t, viewer).get('/scoring/half-life-suggestions').expect(200)).body.eligible_count).toBe(4);
      const theirs = (await api(t, b.admin).get('/scoring/half-life-suggestions').expect(200)).body;
      expect(theirs).toMatchObject({ eligible_count: 1, ineligible_count: 0, suggestions: [{ rule_id: foreignRule, suggested_half_life_days: 14 }] });
    });
  });

  describe('POST /scoring/half-life-suggestions/apply', () => {
    it('refuses an empty or malformed list (400), a Viewer (403) and no credential (401), changing nothing', async () => {
      expect((await as().post('/scoring/half-life-suggestions/apply', { rule_ids: [] }).expect(400)).body.details[0].field).toBe('rule_ids');
      expect((await as().post('/scoring/half-life-suggestions/apply', {}).expect(400)).body.details[0].field).toBe('rule_ids');
      expect(
        (
          await as()
            .post('/scoring/half-life-suggestions/apply', { rule_ids: [42] })
            .expect(400)
        ).body.details[0].field,
      ).toMatch(/^rule_ids/);
      expect((await api(t, viewer).post('/scoring/half-life-suggestions/apply', { rule_ids: [rules.demo] })).status).toBe(403);
      expect((await api(t).post('/scoring/half-life-suggestions/apply', { rule_ids: [rules.demo] })).status).toBe(401);
      expect((await as().get(`/rules`).expect(200)).body.find((r: { rule_id: string }) => r.rule_id === rules.demo).half_life_days).toBeNull();
    });

    it('applies each rule on its own, with every skip reason, and audits each applied rule', async () => {
      // a transient failure while writing one rule (update_error) must not undo the others
      await ds.query(`CREATE FUNCTION fail_rule_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated write failure'; END $$`);
      await ds.query(
        `CREATE TRIGGER fail_rule_update BEFORE UPDATE ON rules FOR EACH ROW WHEN (NEW.id = '${rules.trial}') EXECUTE FUNCTION fail_rule_update()`,
      );
      try {
        const res = await as()
          .post('/scoring/half-life-suggestions/apply', {
            rule_ids: [rules.demo, rules.configured, rules.custom, dealRule, foreignRule, 'rl_missing', rules.trial, rules.pageView, rules.demo],
          })
          .expect(200);
        expect(res.body).toEqual({
          applied_count: 2,
          skipped_count: 6,
          results: [
            { rule_id: rules.demo, status: 'applied', half_life_days: 90 },
            { rule_id: rules.configured, status: 'skipped', reason: 'already_configured' },
            { rule_id: rules.custom, status: 'skipped', reason: 'no_research_default' },
            { rule_id: dealRule, status: 'skipped', reason: 'dimension_not_event_sourced' },
            { rule_id: foreignRule, status: 'skipped', reason: 'not_found' },
            { rule_id: 'rl_missing', status: 'skipped', reason: 'not_found' },
            { rule_id: rules.trial, status: 'skipped', reason: 'update_error' },
            { rule_id: rules.pageView, status: 'applied', half_life_days: 14 },
          ],
        });
      } finally {
        await ds.query(`DROP TRIGGER fail_rule_update ON rules`);
        await ds.query(`DROP FUNCTION fail_rule_update()`);
      }
      const stored = (await as().get('/rules').expect(200)).body;
      const halfLife = (id: string) => stored.find((r: { rule_id: string }) => r.rule_id === id).half_life_days;
      expect([halfLife(rules.demo), halfLife(rules.pageView), halfLife(rules.trial), halfLife(rules.configured), halfLife(rules.custom)]).toEqual([
        90,
        14,
        null,
        5,
        null,
      ]);
      // through the Ruleset aggregate: its stream records the change, with the caller
      const [event] = await ds.query(
        `SELECT payload FROM event_store_events WHERE stream_id = $1 AND event_type = 'RuleUpdated' ORDER BY stream_version DESC LIMIT 1`,
        [stored.find((r: { rule_id: string }) => r.rule_id === rules.demo).ruleset_id],
      );
      expect(event?.payload).toMatchObject({ rule_id: rules.pageView, changes: { half_life_days: 14 }, by: 'admin@first.example' });
      // the foreign rule was not touched
      expect((await api(t, b.admin).get('/rules').expect(200)).body[0].half_life_days).toBeNull();

      await t.app.get(AuditWriter).flush();
      const audit = (await as().get('/audit-logs?method=POST&search=half-life-suggestions/apply').expect(200)).body.items.filter(
        (i: { status: number }) => i.status === 200,
      );
      expect(
        audit.map((i: { entity_type: string; entity_id: string | null; summary: string; actor_id: string; verb: string }) => [
          i.entity_type,
          i.entity_id,
          i.verb,
          i.summary,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['rule', null, 'updated', 'admin@first.example applied research half-life defaults to 2 scoring rule(s), skipped 6'],
          [
            'rule',
            rules.demo,
            'updated',
            "admin@first.example set the half-life of scoring rule 'Demo Request' to its research default of 90 days (paper-section-3)",
          ],
          [
            'rule',
            rules.pageView,
            'updated',
            "admin@first.example set the half-life of scoring rule 'Page View' to its research default of 14 days (paper-section-3)",
          ],
        ]),
      );
      expect(audit).toHaveLength(3);
      expect(audit.every((i: { actor_id: string; user_email: string }) => i.actor_id === a.adminMemberId && i.user_email === 'admin@first.example')).toBe(true);

      // applied rules are configured now: the suggestions and a second apply say so
      const after = (await as().get('/scoring/half-life-suggestions').expect(200)).body;
      expect([after.eligible_count, after.ineligible_count]).toEqual([2, 5]);
      const again = (
        await as()
          .post('/scoring/half-life-suggestions/apply', { rule_ids: [rules.demo, rules.trial] })
          .expect(200)
      ).body;
      expect(again).toEqual({
        applied_count: 1,
        skipped_count: 1,
        results: [
          { rule_id: rules.demo, status: 'skipped', reason: 'already_configured' },
          { rule_id: rules.trial, status: 'applied', half_life_days: 60 },
        ],
      });
    });

    it('answers lookup_error for every rule when the lookup itself fails', async () => {
      const original = ds.query.bind(ds);
      // only the apply's own lookup fails (a transient error); every other query of the app goes through
      const spy = jest
        .spyOn(ds, 'query')
        .mockImplementation(((text: string, ...rest: unknown[]) =>
          text.includes('r.id = ANY(') ? Promise.reject(new Error('simulated connection reset')) : original(text, ...(rest as [unknown[]]))) as never);
      try {
        const res = await as()
          .post('/scoring/half-life-suggestions/apply', { rule_ids: [rules.emailOpen, 'rl_missing'] })
          .expect(200);
        expect(res.body).toEqual({
          applied_count: 0,
          skipped_count: 2,
          results: [
            { rule_id: rules.emailOpen, status: 'skipped', reason: 'lookup_error' },
            { rule_id: 'rl_missing', status: 'skipped', reason: 'lookup_error' },
          ],
        });
      } finally {
        spy.mockRestore();
      }
      expect((await as().get('/rules').expect(200)).body.find((r: { rule_id: string }) => r.rule_id === rules.emailOpen).half_life_days).toBeNull();
    });
  });
});
