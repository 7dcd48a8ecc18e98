import { DataSource } from 'typeorm';
import { ProfileScoring } from '../src/modules/scoring';
import { LeadScoreRefresher } from '../src/modules/scoring/rescore.processor';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { emailAliases, ingestAndWait, leadOfEvent } from './support/ingest';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

/**
 * Issue 12, profile slice: profile rulesets and rules on the one Ruleset aggregate, profile scores kept with lead
 * attributes, hard disqualification entering and leaving, match counts, dry runs (profile, deal), account rulesets
 * behind ABM, score-now of the profile dimension.
 */
describe('Profile scoring, hard disqualification, dry runs', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  const as = () => api(t, sa.auth);
  const db = () => t.app.get(DataSource);

  interface LeadView {
    profile_score: number;
    profile_level: string | null;
    disqualified: boolean;
    disqualified_at: string | null;
    disqualification: { rule_id: string; ruleset_id: string; dimension: string; rule_name: string; reason: string } | null;
  }
  const leadOf = async (id: string): Promise<LeadView> => (await as().get(`/lead/${id}`).expect(200)).body.lead;
  /** Waits until the lead reads as `want` (the profile-scores projection and the OU-wide job are asynchronous). */
  const until = (id: string, want: (l: LeadView) => boolean) =>
    eventually(async () => {
      const l = await leadOf(id);
      return want(l) ? l : null;
    });
  const createLead = (id: string, metadata: Record<string, unknown>) => as().post('/leads', { id, metadata }).expect(201);
  const listIds = async (query = '') => ((await as().get(`/leads?limit=500${query}`).expect(200)).body.leads as { lead_id: string }[]).map((l) => l.lead_id);

  let fit: string;
  let rules: { saas: string; size: string; vp: string };

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Fit Rivals', serviceAccount: 'fit' }));
    viewer = (await memberWithRole(t, a, 'viewer-fit@first.example', 'Viewer')).auth;
  });
  afterAll(() => t.close());

  describe('profile rulesets', () => {
    it('creates a ruleset with the seed fields (201), is_primary false by default', async () => {
      const res = await as().post('/profile-scoring/rulesets', { name: 'Ideal customer', enabled: true }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^rs_/),
        ruleset_id: res.body.id,
        org_id: a.orgId,
        dimension: 'profile',
        name: 'Ideal customer',
        enabled: true,
        is_primary: false,
        score_floor_pct: null,
        rule_count: 0,
        created_by: expect.any(String),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      fit = res.body.id;
    });

    it('makes it primary with PUT (200), moving the flag when another one asks for it', async () => {
      const put = await as().put(`/profile-scoring/rulesets/${fit}`, { name: 'Ideal customer', is_primary: true, score_floor_pct: 0.5 }).expect(200);
      expect(put.body).toMatchObject({ id: fit, is_primary: true, score_floor_pct: 0.5, enabled: true });
      const other = (await as().post('/profile-scoring/rulesets', { name: 'Second', is_primary: true }).expect(201)).body.id;
      let list = (await as().get('/profile-scoring/rulesets').expect(200)).body as { id: string; is_primary: boolean }[];
      expect(list.map((r) => [r.id, r.is_primary])).toEqual([
        [other, true],
        [fit, false],
      ]);
      await as().put(`/profile-scoring/rulesets/${fit}`, { name: 'Ideal customer', is_primary: true }).expect(200);
      await as().delete(`/profile-scoring/rulesets/${other}`).expect(204);
      list = (await as().get('/profile-scoring/rulesets').expect(200)).body;
      expect(list.map((r) => [r.id, r.is_primary])).toEqual([[fit, true]]);
      expect((await as().put(`/profile-scoring/rulesets/${other}`, { name: 'Gone' })).status).toBe(404);
    });

    it('refuses a missing name (400), a duplicate name (409), a floor above 1 (400)', async () => {
      const missing = await as().post('/profile-scoring/rulesets', { enabled: true }).expect(400);
      expect(JSON.stringify(missing.body)).toContain('name');
      expect((await as().post('/profile-scoring/rulesets', { name: 'ideal CUSTOMER' })).status).toBe(409);
      expect((await as().put(`/profile-scoring/rulesets/${fit}`, { name: 'Ideal customer', score_floor_pct: 2 })).status).toBe(400);
      expect((await as().get('/profile-scoring/rulesets').expect(200)).body).toHaveLength(1);
    });

    it('keeps engagement and profile rulesets apart', async () => {
      const engagement = (await as().get('/rulesets').expect(200)).body as { ruleset_id: string }[];
      expect(engagement.map((r) => r.ruleset_id)).not.toContain(fit);
      expect((await as().delete(`/rulesets/${fit}`)).status).toBe(404);
      expect((await as().get(`/rulesets/${fit}/rules`)).status).toBe(404);
      // an engagement rule cannot join a profile ruleset
      expect((await as().post('/rules', { ruleset_id: fit, event_type: 'Page View', weight: 1 })).status).toBe(404);
      expect((await as().get(`/profile-scoring/rulesets/${fit}/rules`).expect(200)).body).toEqual([]);
    });

    it('answers 401 without a credential, 403 to a Viewer, 404 to another organization', async () => {
      expect((await api(t).get('/profile-scoring/rulesets')).status).toBe(401);
      expect((await api(t, viewer).post('/profile-scoring/rulesets', { name: 'Viewer' })).status).toBe(403);
      expect((await api(t, viewer).get('/profile-scoring/rulesets')).status).toBe(200);
      expect((await api(t, b.admin).put(`/profile-scoring/rulesets/${fit}`, { name: 'Taken' })).status).toBe(404);
      expect((await api(t, b.admin).get('/profile-scoring/rulesets').expect(200)).body).toEqual([]);
    });
  });

  describe('profile rules', () => {
    it('creates rules with the seed fields (201), listed by ui_order', async () => {
      const saas = await as()
        .post(`/profile-scoring/rulesets/${fit}/rules`, {
          profile_property: 'industry',
          condition: 'in',
          comparison_value: 'SaaS, Fintech',
          weight: 20,
          ui_order: 0,
        })
        .expect(201);
      expect(saas.body).toEqual({
        id: expect.stringMatching(/^rl_/),
        rule_id: saas.body.id,
        ruleset_id: fit,
        profile_property: 'industry',
        condition: 'in',
        comparison_value: 'SaaS, Fintech',
        weight: 20,
        half_life_days: null,
        rule_type: 'add_points',
        conditions: null,
        ui_order: 0,
        created_by: expect.any(String),
        updated_by: expect.any(String),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const size = await as()
        .post(`/profile-scoring/rulesets/${fit}/rules`, { profile_property: 'employees', condition: 'gte', comparison_value: '100', weight: 15, ui_order: 1 })
        .expect(201);
      const vp = await as()
        .post(`/profile-scoring/rulesets/${fit}/rules`, { profile_property: 'title', condition: 'contains', comparison_value: 'vp', weight: 10, ui_order: 2 })
        .expect(201);
      rules = { saas: saas.body.id, size: size.body.id, vp: vp.body.id };
      const list = (await as().get(`/profile-scoring/rulesets/${fit}/rules`).expect(200)).body as { id: string }[];
      expect(list.map((r) => r.id)).toEqual([rules.saas, rules.size, rules.vp]);
      expect((await as().get(`/profile-scoring/rulesets/${fit}`)).status).toBe(404); // no such route: GET of one ruleset is not in the catalogue
    });

    it.each([
      [
        'conditions on an add_points rule',
        {
          condition: 'equals',
          comparison_value: 'x',
          weight: 1,
          conditions: { op: 'AND', items: [{ property: 'a', condition: 'equals', comparison_value: 'b' }] },
        },
        'conditions',
      ],
      ['a non-numeric comparison_value for gt', { condition: 'gt', comparison_value: 'lots', weight: 1 }, 'comparison_value'],
      ['an unknown condition', { condition: 'resembles', comparison_value: 'x', weight: 1 }, 'condition'],
      ['a fractional weight', { condition: 'equals', comparison_value: 'x', weight: 1.5 }, 'weight'],
      [
        'a group nested 4 deep',
        {
          condition: 'equals',
          comparison_value: 'x',
          weight: 0,
          rule_type: 'hard_disqualify',
          conditions: {
            op: 'AND',
            items: [{ op: 'OR', items: [{ op: 'AND', items: [{ op: 'OR', items: [{ property: 'a', condition: 'equals', comparison_value: 'b' }] }] }] }],
          },
        },
        'conditions',
      ],
      [
        'a non-numeric value inside a group',
        {
          condition: 'equals',
          comparison_value: 'x',
          weight: 0,
          rule_type: 'hard_disqualify',
          conditions: { op: 'OR', items: [{ property: 'employees', condition: 'lt', comparison_value: 'ten' }] },
        },
        'conditions.items[0].comparison_value',
      ],
    ])('refuses %s (400 naming the field) and writes nothing', async (_name, body, field) => {
      const res = await as()
        .post(`/profile-scoring/rulesets/${fit}/rules`, { profile_property: 'industry', ...body })
        .expect(400);
      expect(JSON.stringify(res.body)).toContain(field);
      expect((await as().get(`/profile-scoring/rulesets/${fit}/rules`).expect(200)).body).toHaveLength(3);
    });

    it('updates partially (200), checking the whole rule it makes; 404 for a rule of another ruleset or OU', async () => {
      const res = await as().put(`/profile-scoring/rulesets/${fit}/rules/${rules.vp}`, { weight: 12 }).expect(200);
      expect(res.body).toMatchObject({ id: rules.vp, profile_property: 'title', condition: 'contains', comparison_value: 'vp', weight: 12 });
      expect((await as().put(`/profile-scoring/rulesets/${fit}/rules/${rules.size}`, { comparison_value: 'many' })).status).toBe(400);
      expect((await as().put(`/profile-scoring/rulesets/${fit}/rules/rl_nope`, { weight: 1 })).status).toBe(404);
      expect((await api(t, b.admin).put(`/profile-scoring/rulesets/${fit}/rules/${rules.vp}`, { weight: 1 })).status).toBe(404);
      expect((await api(t, viewer).put(`/profile-scoring/rulesets/${fit}/rules/${rules.vp}`, { weight: 1 })).status).toBe(403);
      expect((await api(t).put(`/profile-scoring/rulesets/${fit}/rules/${rules.vp}`, { weight: 1 })).status).toBe(401);
      const after = (await as().get(`/profile-scoring/rulesets/${fit}/rules`).expect(200)).body as { id: string; weight: number; comparison_value: string }[];
      expect(after.find((r) => r.id === rules.vp)!.weight).toBe(12);
      expect(after.find((r) => r.id === rules.size)!.comparison_value).toBe('100');
    });

    it('audits each change with a readable summary', async () => {
      await t.app.get(AuditWriter).flush();
      const rows = await db().query(`SELECT summary FROM audit_logs WHERE entity_id = $1 ORDER BY id`, [rules.vp]);
      expect(rows.map((r: { summary: string }) => r.summary)).toEqual([
        expect.stringMatching(/ created profile rule 'title contains vp' \(10 points\)$/),
        expect.stringMatching(/ updated profile rule 'title contains vp'$/),
      ]);
    });
  });

  describe('profile score (PRF-8)', () => {
    it('is the sum of the matching add_points weights on the lead’s metadata, kept when attributes change', async () => {
      await createLead('fit-ada', { industry: 'saas', employees: '250', title: 'VP Sales', email: 'ada@example.com' });
      expect((await until('fit-ada', (l) => l.profile_score === 47)).disqualified).toBe(false);
      // a metadata patch moves it (employees below 100: −15)
      await as().patch('/lead/fit-ada/metadata', { employees: 50 }).expect(200);
      await until('fit-ada', (l) => l.profile_score === 32);
      // by alias? the lead has no alias; replace the metadata wholesale (PUT): nothing matches any more
      await as()
        .put('/lead/fit-ada', { metadata: { industry: 'retail', email: 'ada@example.com' } })
        .expect(200);
      await until('fit-ada', (l) => l.profile_score === 0);
      await as().patch('/lead/fit-ada/metadata', { industry: 'FINTECH', employees: '100', title: 'svp' }).expect(200);
      await until('fit-ada', (l) => l.profile_score === 47);
    });

    it('re-evaluates every lead of the OU after a rule change, and never decays', async () => {
      await createLead('fit-bob', { industry: 'Fintech', employees: '20', email: 'bob@example.com' });
      await until('fit-bob', (l) => l.profile_score === 20);
      await as().put(`/profile-scoring/rulesets/${fit}/rules/${rules.saas}`, { weight: 25 }).expect(200);
      await until('fit-ada', (l) => l.profile_score === 52);
      await until('fit-bob', (l) => l.profile_score === 25);
      // the hourly refresh of decaying scores, a year later, leaves profile scores alone
      t.clock.set(new Date(NOW.getTime() + 400 * 86_400_000));
      await t.app.get(LeadScoreRefresher).hourly();
      expect((await leadOf('fit-bob')).profile_score).toBe(25);
      t.clock.set(NOW);
    });

    it('feeds profile levels and the lead list (profile_level filter, profile_scores, export columns)', async () => {
      await as().post('/profile-scoring/levels', { name: 'Strong fit', min_score: 40 }).expect(201);
      await as().post('/profile-scoring/levels', { name: 'Weak fit', min_score: 0, max_score: 39 }).expect(201);
      await until('fit-ada', (l) => l.profile_level === 'Strong fit');
      await until('fit-bob', (l) => l.profile_level === 'Weak fit');
      expect(await listIds('&profile_level=Strong%20fit')).toEqual(['fit-ada']);
      const row = ((await as().get('/leads?limit=500').expect(200)).body.leads as Record<string, unknown>[]).find((l) => l.lead_id === 'fit-ada')!;
      expect(row).toMatchObject({
        profile_score: 52,
        profile_level: 'Strong fit',
        profile_scores: { [fit]: 52 },
        profile_primary_ruleset_name: 'Ideal customer',
        below_floor: false,
      });
      // PRF-5: the floor is 0.5 × the maximum achievable score (25 + 15 + 12 = 52): 26
      const bob = ((await as().get('/leads?limit=500').expect(200)).body.leads as Record<string, unknown>[]).find((l) => l.lead_id === 'fit-bob')!;
      expect(bob).toMatchObject({ profile_score: 25, below_floor: true });
      const csv = (await as().get('/leads/export').expect(200)).text.split('\n');
      expect(csv[0]).toBe('lead_id,alias,engagement_score,profile_score,engagement_level,profile_level,account,owner,last_activity,created_at');
      expect(csv.find((line) => line.startsWith('fit-ada,'))).toContain(',52,,Strong fit,');
    });

    it('shows profile factors in the lead’s why', async () => {
      const why = (await as().get('/leads/fit-ada/why').expect(200)).body;
      expect(why.disqualified).toBe(false);
      expect(why.summary).toMatch(/^Strong fit: FINTECH, svp\./);
      expect(why.factors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'profile', label: 'industry in SaaS, Fintech', points: 25, property: 'industry', rule_id: rules.saas }),
        ]),
      );
    });
  });

  describe('hard disqualification (PRF-9..12)', () => {
    let noContact: string;
    let competitor: string;

    it('disqualifies leads matching a hard-DQ rule, with rule, time and reason', async () => {
      await createLead('fit-ghost', { industry: 'SaaS', employees: '500' });
      await until('fit-ghost', (l) => l.profile_score === 40);
      noContact = (
        await as()
          .post(`/profile-scoring/rulesets/${fit}/rules`, {
            profile_property: 'email',
            condition: 'is_empty',
            comparison_value: '',
            weight: 0,
            rule_type: 'hard_disqualify',
            conditions: { op: 'AND', items: [{ property: 'phone', condition: 'is_empty', comparison_value: '' }] },
          })
          .expect(201)
      ).body.id;
      competitor = (
        await as()
          .post(`/profile-scoring/rulesets/${fit}/rules`, {
            profile_property: 'company',
            condition: 'equals',
            comparison_value: 'Rival Corp',
            weight: 0,
            rule_type: 'hard_disqualify',
          })
          .expect(201)
      ).body.id;
      const ghost = await until('fit-ghost', (l) => l.disqualified);
      expect(ghost.disqualification).toEqual({
        rule_id: noContact,
        ruleset_id: fit,
        dimension: 'profile',
        rule_name: 'email is empty',
        reason: expect.stringContaining('Disqualified by profile rule "email is empty"'),
      });
      expect(ghost.disqualified_at).toEqual(expect.any(String));
      expect(ghost.profile_score).toBe(40);
      expect((await leadOf('fit-ada')).disqualified).toBe(false);
    });

    it('leaves lists and exports unless include_disqualified=true', async () => {
      expect(await listIds()).not.toContain('fit-ghost');
      expect(await listIds()).toContain('fit-ada');
      expect(await listIds('&include_disqualified=true')).toContain('fit-ghost');
      expect((await as().get('/leads/export').expect(200)).text).not.toContain('fit-ghost');
      expect((await as().get('/leads/export?include_disqualified=true').expect(200)).text).toContain('fit-ghost');
    });

    it('short-circuits the why and the score state to the disqualification', async () => {
      const why = (await as().get('/leads/fit-ghost/why').expect(200)).body;
      expect(why).toEqual({
        lead_id: 'fit-ghost',
        summary: 'Disqualified: profile rule "email is empty" matched.',
        factors: [],
        disqualified: true,
        disqualification: expect.objectContaining({ rule_id: noContact, dimension: 'profile', disqualified_at: expect.any(String) }),
      });
      const batch = (await as().get('/leads/why?lead_ids=fit-ghost,fit-ada').expect(200)).body;
      expect(batch.summaries['fit-ghost']).toBe('Disqualified: profile rule "email is empty" matched.');
      const state = (await as().get('/leads/fit-ghost/score').expect(200)).body;
      expect(state).toMatchObject({ disqualified: true, disqualified_by_rule_id: noContact, disqualified_reason: expect.stringContaining('email is empty') });
    });

    it('counts the current matches of every active hard-DQ rule, zero included, by count then name', async () => {
      const counts = (await as().get('/scoring/disqualifications/match-counts').expect(200)).body;
      expect(counts).toEqual([
        { rule_id: noContact, ruleset_id: fit, dimension: 'profile', rule_name: 'email is empty', match_count: 1 },
        { rule_id: competitor, ruleset_id: fit, dimension: 'profile', rule_name: 'company equals Rival Corp', match_count: 0 },
      ]);
      expect((await api(t, b.admin).get('/scoring/disqualifications/match-counts').expect(200)).body).toEqual([]);
      expect((await api(t).get('/scoring/disqualifications/match-counts')).status).toBe(401);
    });

    it('re-qualifies the lead when the attribute changes, and again disqualifies by another rule', async () => {
      await as().patch('/lead/fit-ghost/metadata', { phone: '+44 20 7946 0000' }).expect(200);
      const back = await until('fit-ghost', (l) => !l.disqualified);
      expect(back.disqualification).toBeNull();
      expect(await listIds()).toContain('fit-ghost');
      await as().patch('/lead/fit-ghost/metadata', { company: 'rival corp' }).expect(200);
      expect((await until('fit-ghost', (l) => l.disqualified)).disqualification!.rule_id).toBe(competitor);
      const trail = await db().query(`SELECT action, rule_id FROM lead_disqualifications WHERE lead_id = 'fit-ghost' ORDER BY id`);
      expect(trail).toEqual([
        { action: 'disqualified', rule_id: noContact },
        { action: 'requalified', rule_id: noContact },
        { action: 'disqualified', rule_id: competitor },
      ]);
    });

    it('re-qualifies when the rule changes or goes away', async () => {
      await as().put(`/profile-scoring/rulesets/${fit}/rules/${competitor}`, { comparison_value: 'Other Rival' }).expect(200);
      await until('fit-ghost', (l) => !l.disqualified);
      await as().put(`/profile-scoring/rulesets/${fit}/rules/${competitor}`, { comparison_value: 'Rival Corp' }).expect(200);
      await until('fit-ghost', (l) => l.disqualified);
      await as().delete(`/profile-scoring/rulesets/${fit}/rules/${competitor}`).expect(204);
      await until('fit-ghost', (l) => !l.disqualified);
      const counts = (await as().get('/scoring/disqualifications/match-counts').expect(200)).body;
      expect(counts.map((c: { rule_id: string }) => c.rule_id)).toEqual([noContact]);
    });

    it('refuses a conditions group once the rule is turned into add_points (400)', async () => {
      const res = await as().put(`/profile-scoring/rulesets/${fit}/rules/${noContact}`, { rule_type: 'add_points' }).expect(400);
      expect(JSON.stringify(res.body)).toContain('conditions');
    });
  });

  describe('on ingest: the properties an event’s mappings set (PRF-2..4, PRF-8)', () => {
    beforeAll(async () => {
      await as().post('/profile-mappings', { source_field: 'utm_industry', profile_property: 'industry' }).expect(201);
      await as().post('/profile-mappings', { source_field: 'utm_phone', profile_property: 'phone' }).expect(201);
    });
    const visit = (lead: object, metadata: Record<string, unknown>) =>
      ingestAndWait(t, sa.auth, { ...lead, event_type: 'Page View', timestamp: ago(MIN), metadata });
    /** The lead the pipeline creates for a new e-mail alias with this event (its id). */
    const newLeadFrom = async (email: string, metadata: Record<string, unknown>) => leadOfEvent(t, sa.auth, (await visit(emailAliases(email), metadata))[0]);

    it('moves the profile score and level in the same step that records the event', async () => {
      await createLead('fit-mapped', { employees: '250', email: 'mapped@example.com' });
      expect(await until('fit-mapped', (l) => l.profile_score === 15)).toMatchObject({ profile_level: 'Weak fit', disqualified: false });
      await visit({ lead_id: 'fit-mapped' }, { utm_industry: 'SaaS' });
      // listed by GET /events means projected: the profile score was written with it, no further wait
      expect(await leadOf('fit-mapped')).toMatchObject({ profile_score: 40, profile_level: 'Strong fit' });
      await visit({ lead_id: 'fit-mapped' }, { utm_industry: 'Retail' });
      expect(await leadOf('fit-mapped')).toMatchObject({ profile_score: 15, profile_level: 'Weak fit' });
      // an event mapping nothing leaves the profile alone
      await visit({ lead_id: 'fit-mapped' }, { page: '/pricing' });
      expect(await leadOf('fit-mapped')).toMatchObject({ profile_score: 15, profile_level: 'Weak fit' });
    });

    it('disqualifies and re-qualifies by the properties it maps, with the trail', async () => {
      // a lead known by alias alone has no email in its metadata: the no-contact rule waits for a phone
      const leadId = await newLeadFrom('mapped-ghost@example.com', { utm_industry: 'Fintech' });
      expect(await leadOf(leadId)).toMatchObject({
        profile_score: 25,
        disqualified: true,
        disqualification: expect.objectContaining({ dimension: 'profile', rule_name: 'email is empty' }),
      });
      expect(await listIds()).not.toContain(leadId);
      await visit({ lead_id: leadId }, { utm_phone: '+44 20 7946 0001' });
      expect(await leadOf(leadId)).toMatchObject({ profile_score: 25, disqualified: false, disqualification: null });
      expect(await listIds()).toContain(leadId);
      const trail = await db().query(`SELECT action FROM lead_disqualifications WHERE lead_id = $1 ORDER BY id`, [leadId]);
      expect(trail).toEqual([{ action: 'disqualified' }, { action: 'requalified' }]);
    });

    it('gives a new lead the profile level its first score falls in, even a score of 0', async () => {
      await createLead('fit-zero', { email: 'zero@example.com' });
      expect(await until('fit-zero', (l) => l.profile_level !== null)).toMatchObject({ profile_score: 0, profile_level: 'Weak fit', disqualified: false });
      expect(await leadOf(await newLeadFrom('mapped-zero@example.com', { utm_phone: '+44 20 7946 0002' }))).toMatchObject({
        profile_score: 0,
        profile_level: 'Weak fit',
        disqualified: false,
      });
    });

    it('evaluates a lead the pipeline creates even when its event maps nothing', async () => {
      const leadId = await newLeadFrom('mapped-bare@example.com', { page: '/pricing' });
      expect(await leadOf(leadId)).toMatchObject({
        profile_score: 0,
        disqualified: true,
        disqualification: expect.objectContaining({ rule_name: 'email is empty' }),
      });
    });
  });

  describe('dry runs (PRF-14, DEAL-2)', () => {
    it('tests a profile rule against a lead through the live evaluator', async () => {
      const res = await as()
        .post('/profile-scoring/test', { lead_id: 'fit-bob', rule: { profile_property: 'employees', condition: 'lt', comparison_value: '50', weight: 7 } })
        .expect(200);
      expect(res.body).toEqual({
        matches: true,
        reason: 'employees lt 50 matches: employees is "20"',
        current_score: 25,
        projected_score: 32,
        matching_value: '20',
        would_disqualify: false,
      });
      const replace = await as()
        .post('/profile-scoring/test', {
          lead_id: 'fit-bob',
          rule: { rule_id: rules.saas, profile_property: 'industry', condition: 'equals', comparison_value: 'retail', weight: 25 },
        })
        .expect(200);
      expect(replace.body).toMatchObject({ matches: false, current_score: 25, projected_score: 0, matching_value: null });
      // nothing persisted
      expect((await leadOf('fit-bob')).profile_score).toBe(25);
    });

    it('lets a Viewer test; 400 for a bad rule, 404 for an unknown or foreign lead, 401 without a credential', async () => {
      const rule = { profile_property: 'industry', condition: 'equals', comparison_value: 'x', weight: 1 };
      expect((await api(t, viewer).post('/profile-scoring/test', { lead_id: 'fit-bob', rule })).status).toBe(200);
      const bad = await as()
        .post('/profile-scoring/test', { lead_id: 'fit-bob', rule: { ...rule, conditions: { op: 'OR', items: [] } } })
        .expect(400);
      expect(JSON.stringify(bad.body)).toContain('rule.conditions');
      expect((await as().post('/profile-scoring/test', { lead_id: 'fit-bob', rule: { ...rule, condition: 'gte', comparison_value: 'big' } })).status).toBe(400);
      expect((await as().post('/profile-scoring/test', { lead_id: 'fit-nobody', rule })).status).toBe(404);
      expect((await api(t, b.admin).post('/profile-scoring/test', { lead_id: 'fit-bob', rule })).status).toBe(404);
      expect((await api(t).post('/profile-scoring/test', { lead_id: 'fit-bob', rule })).status).toBe(401);
    });

    it('tests a deal rule against a deal’s properties, stage and amount', async () => {
      const deal = '0b6e2a8a-1b2c-4d5e-8f90-123456789abc';
      await db().query(
        `INSERT INTO deals (id, org_id, unit_id, name, stage, amount, properties, created_at, updated_at) VALUES ($1, $2, $3, 'Big one', 'Negotiation', 250000, '{"region":"EMEA"}', now(), now())`,
        [deal, a.orgId, a.unitId],
      );
      const stage = await as()
        .post('/deal-scoring/test', { deal_id: deal, rule: { deal_property: 'stage', condition: 'equals', comparison_value: 'negotiation', weight: 60 } })
        .expect(200);
      expect(stage.body).toMatchObject({ matches: true, current_score: 0, projected_score: 60, matching_value: 'Negotiation' });
      const amount = await as()
        .post('/deal-scoring/test', { deal_id: deal, rule: { deal_property: 'amount', condition: 'gte', comparison_value: '100000', weight: 30 } })
        .expect(200);
      expect(amount.body).toMatchObject({ matches: true, projected_score: 30 });
      const region = await as()
        .post('/deal-scoring/test', { deal_id: deal, rule: { deal_property: 'region', condition: 'not_in', comparison_value: 'NA,APAC', weight: 5 } })
        .expect(200);
      expect(region.body.matches).toBe(true);
      expect(
        (await as().post('/deal-scoring/test', { deal_id: deal, rule: { deal_property: 'amount', condition: 'gt', comparison_value: 'lots', weight: 1 } }))
          .status,
      ).toBe(400);
      const rule = { deal_property: 'stage', condition: 'equals', comparison_value: 'x', weight: 1 };
      expect((await as().post('/deal-scoring/test', { deal_id: '0b6e2a8a-0000-4000-8000-000000000000', rule })).status).toBe(404);
      expect((await as().post('/deal-scoring/test', { deal_id: 'not-a-uuid', rule })).status).toBe(404);
      expect((await api(t, b.admin).post('/deal-scoring/test', { deal_id: deal, rule })).status).toBe(404);
      expect((await as().post('/deal-scoring/test', { deal_id: deal })).status).toBe(400);
    });
  });

  describe('score-now for the profile dimension', () => {
    it('queues an OU-wide re-evaluation with progress (202), 404 for another dimension’s or OU’s ruleset', async () => {
      await db().query(`UPDATE leads SET profile_score = 999 WHERE lead_id = 'fit-bob'`);
      const res = await as().post(`/scoring/rulesets/profile/${fit}/score-now`).expect(202);
      expect(res.body).toEqual({ status: 'queued', job_id: expect.any(String), ruleset_id: fit, status_url: `/scoring/jobs/${res.body.job_id}` });
      const done = await eventually(async () => {
        const job = (await as().get(res.body.status_url).expect(200)).body;
        return job.status === 'completed' ? job : null;
      });
      expect(done).toMatchObject({ progress: 100, result: expect.objectContaining({ leads: expect.any(Number), scores_changed: 1 }) });
      expect((await leadOf('fit-bob')).profile_score).toBe(25);
      expect((await as().post(`/scoring/rulesets/engagement/${fit}/score-now`)).status).toBe(404);
      expect((await api(t, b.admin).post(`/scoring/rulesets/profile/${fit}/score-now`)).status).toBe(404);
    });
  });

  describe('account rulesets (ABM)', () => {
    it('answer 403 while ABM is off', async () => {
      const res = await as().get('/account-scoring/rulesets').expect(403);
      expect(res.body.error).toBe('abm_disabled');
      expect((await as().post('/account-scoring/rulesets', { name: 'Firmographics' })).status).toBe(403);
    });

    it('serve the same engine once ABM is on: rulesets and rules with account_property', async () => {
      await activateOu(t, a.admin, a.unitId);
      await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      const rs = (await as().post('/account-scoring/rulesets', { name: 'Firmographics', is_primary: true }).expect(201)).body;
      expect(rs).toMatchObject({ dimension: 'account', is_primary: true, enabled: true });
      const rule = await as()
        .post(`/account-scoring/rulesets/${rs.id}/rules`, { account_property: 'employees', condition: 'gte', comparison_value: '1000', weight: 50 })
        .expect(201);
      expect(rule.body).toMatchObject({ account_property: 'employees', condition: 'gte', comparison_value: '1000', weight: 50, rule_type: 'add_points' });
      expect(rule.body).not.toHaveProperty('profile_property');
      expect((await as().put(`/account-scoring/rulesets/${rs.id}/rules/${rule.body.id}`, { weight: 45 }).expect(200)).body.weight).toBe(45);
      expect(
        (await as().post(`/account-scoring/rulesets/${rs.id}/rules`, { account_property: 'x', condition: 'lt', comparison_value: 'small', weight: 1 })).status,
      ).toBe(400);
      // a profile ruleset is not an account ruleset, nor the reverse
      expect((await as().get(`/account-scoring/rulesets/${fit}/rules`)).status).toBe(404);
      expect((await as().get(`/profile-scoring/rulesets/${rs.id}/rules`)).status).toBe(404);
      expect((await as().get('/account-scoring/rulesets').expect(200)).body.map((r: { id: string }) => r.id)).toEqual([rs.id]);
      // account hard-DQ rules are listed by the match counts (none of the OU's leads is disqualified by one yet)
      const dq = await as()
        .post(`/account-scoring/rulesets/${rs.id}/rules`, {
          account_property: 'status',
          condition: 'equals',
          comparison_value: 'customer',
          weight: 0,
          rule_type: 'hard_disqualify',
        })
        .expect(201);
      const counts = (await as().get('/scoring/disqualifications/match-counts').expect(200)).body as {
        rule_id: string;
        dimension: string;
        match_count: number;
      }[];
      expect(counts.find((c) => c.rule_id === dq.body.id)).toEqual(expect.objectContaining({ dimension: 'account', match_count: 0 }));
      await as().delete(`/account-scoring/rulesets/${rs.id}/rules/${dq.body.id}`).expect(204);
      await as().delete(`/account-scoring/rulesets/${rs.id}`).expect(204);
      expect((await as().get(`/account-scoring/rulesets/${rs.id}/rules`)).status).toBe(404);
    });
  });

  describe('row locks on leads', () => {
    it('takes the rows a re-evaluation writes in id order, so it queues behind other writers of `leads` instead of deadlocking', async () => {
      await createLead('fit-lock-1', { industry: 'SaaS', email: 'lock-1@example.com' });
      await createLead('fit-lock-2', { industry: 'Fintech', employees: '500', email: 'lock-2@example.com' });
      const scored = [await until('fit-lock-1', (l) => l.profile_score > 0), await until('fit-lock-2', (l) => l.profile_score > 0)].map((l) => l.profile_score);
      const refs: string[] = (
        await db().query(`SELECT id FROM leads WHERE org_id = $1 AND lead_id = ANY($2::text[]) ORDER BY id`, [a.orgId, ['fit-lock-1', 'fit-lock-2']])
      ).map((r: { id: string }) => r.id);
      const scoreOf = async () =>
        (await db().query(`SELECT id, profile_score FROM leads WHERE id = ANY($1::text[]) ORDER BY id`, [refs])).map((r: { profile_score: number }) =>
          Number(r.profile_score),
        );
      const byRef = (await db().query(`SELECT lead_id FROM leads WHERE id = ANY($1::text[]) ORDER BY id`, [refs])).map((r: { lead_id: string }) => r.lead_id);
      const want = byRef.map((id: string) => scored[id === 'fit-lock-1' ? 0 : 1]);
      // stale profile scores: the re-evaluation has both rows to write
      await db().query(`UPDATE leads SET profile_score = -1 WHERE id = ANY($1::text[])`, [refs]);
      const holder = db().createQueryRunner();
      const probe = db().createQueryRunner();
      try {
        await holder.startTransaction();
        await holder.query(`SELECT 1 FROM leads WHERE id = $1 FOR NO KEY UPDATE`, [refs[0]]);
        // the lower id is held elsewhere: asked for [higher, lower], the re-evaluation waits for the lower one first
        const run = db().transaction((m) => t.app.get(ProfileScoring).reevaluate(m, a.orgId, a.unitId, [refs[1], refs[0]]));
        await eventually(async () => {
          const [{ n }] = await db().query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          return n > 0;
        });
        // ... holding nothing after it: the higher row is free meanwhile
        await probe.startTransaction();
        await expect(probe.query(`SELECT 1 FROM leads WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, [refs[1]])).resolves.toHaveLength(1);
        await probe.rollbackTransaction();
        expect(await scoreOf()).toEqual([-1, -1]);
        await holder.rollbackTransaction();
        expect((await run).outcome).toMatchObject({ leads: 2, scores_changed: 2 });
        expect(await scoreOf()).toEqual(want);
      } finally {
        if (holder.isTransactionActive) await holder.rollbackTransaction();
        if (probe.isTransactionActive) await probe.rollbackTransaction();
        await holder.release();
        await probe.release();
      }
    });
  });
});
