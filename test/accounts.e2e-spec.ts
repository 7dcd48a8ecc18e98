import { DataSource } from 'typeorm';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { emailAliases as email, ingestAndWait } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

/**
 * Issue 12, accounts slice: grouping of leads into Account aggregates (account_id, event accountId, e-mail domain,
 * free mail ignored), account mappings on ingest, account scores and levels, account hard-DQ entering and leaving,
 * the ABM reads (lookup, fuzzy, list with every filter and sort, detail, why), metadata patch, merge, batch delete,
 * the account dry run, score-now of the account dimension and the account backfills, all behind abm_enabled.
 */
describe('Accounts (ABM)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  const as = () => api(t, sa.auth);
  const db = () => t.app.get(DataSource);
  const visit = (who: string, metadata: object = {}, minutesAgo = 5) => ({
    ...email(who),
    event_type: 'Pricing Page Visit',
    timestamp: ago(minutesAgo * MIN),
    metadata,
  });

  interface Row {
    account_id: string;
    name: string | null;
    domain: string | null;
    metadata: Record<string, unknown>;
    top_score: number;
    leads_count: number;
    engagement_score: number;
    owner_name: string | null;
    surging: boolean;
    account_score: number;
    account_level: string | null;
  }
  const list = async (query = ''): Promise<{ accounts: Row[]; total: number; page: number; limit: number }> =>
    (await as().get(`/accounts${query}`).expect(200)).body;
  const ids = async (query = '') => (await list(query)).accounts.map((r) => r.account_id);
  const accountUntil = (id: string, want: (r: Row) => boolean, query = '?limit=500') =>
    eventually(async () => {
      const r = (await list(query)).accounts.find((x) => x.account_id === id);
      return r && want(r) ? r : null;
    });
  const leadOf = async (id: string) => (await as().get(`/lead/${id}`).expect(200)).body.lead;
  const leadIdOf = async (mail: string) =>
    (await db().query(`SELECT l.lead_id FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.value = $1`, [mail]))[0]?.lead_id as string;

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'ABM Rivals', serviceAccount: 'abm' }));
    viewer = (await memberWithRole(t, a, 'viewer-abm@first.example', 'Viewer')).auth;
    await activateOu(t, a.admin, a.unitId);
    await activateOu(t, viewer, a.unitId);
    await createRuleset(t, sa.auth, 'Engagement', [{ event_type: 'Pricing Page Visit', weight: 10 }]);
  });
  afterAll(() => t.close());

  describe('ABM off', () => {
    it.each([
      ['GET', '/accounts'],
      ['GET', '/accounts/by-domain?domain=acme.example'],
      ['GET', '/accounts/fuzzy?name=Acme'],
      ['GET', '/accounts/acct_x'],
      ['GET', '/accounts/acct_x/why'],
      ['PATCH', '/accounts/acct_x/metadata'],
      ['POST', '/accounts/acct_x/merge'],
      ['DELETE', '/accounts'],
      ['POST', '/account-scoring/test'],
      ['POST', '/backfill/account-mapping'],
      ['POST', '/backfill/event-account-id'],
    ])('%s %s answers 403 abm_disabled', async (method, path) => {
      const res = await api(t, sa.auth)[method.toLowerCase() as 'post'](path, {}).expect(403);
      expect(res.body.error).toBe('abm_disabled');
    });

    it('groups nothing while ABM is off', async () => {
      await ingestAndWait(t, sa.auth, visit('early@acme.example'));
      expect((await db().query(`SELECT count(*)::int AS n FROM accounts`))[0].n).toBe(0);
    });
  });

  describe('grouping and account scores', () => {
    let ruleset: string;

    beforeAll(async () => {
      await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      await api(t, b.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
      ruleset = (await as().post('/account-scoring/rulesets', { name: 'Firmographics', is_primary: true }).expect(201)).body.id;
      await as()
        .post(`/account-scoring/rulesets/${ruleset}/rules`, { account_property: 'employees', condition: 'gte', comparison_value: '1000', weight: 50 })
        .expect(201);
      await as()
        .post(`/account-scoring/rulesets/${ruleset}/rules`, { account_property: 'country', condition: 'in', comparison_value: 'DE, FR', weight: 20 })
        .expect(201);
      await as()
        .post(`/account-scoring/rulesets/${ruleset}/rules`, {
          account_property: 'industry',
          condition: 'equals',
          comparison_value: 'Competitor',
          weight: 0,
          rule_type: 'hard_disqualify',
        })
        .expect(201);
      await as().post('/account-scoring/levels', { name: 'Target', min_score: 60, max_score: 1000 }).expect(201);
      await as().post('/account-scoring/levels', { name: 'Watch', min_score: 0, max_score: 59 }).expect(201);
      await as().post('/account-scoring/mappings', { source_field: 'company.employees', account_property: 'employees' }).expect(201);
    });

    it('groups leads by e-mail domain (free mail ignored), by event accountId and by the lead’s account_id', async () => {
      await ingestAndWait(t, sa.auth, [
        visit('alice@acme.example', { company: { employees: 5000 } }),
        visit('bob@acme.example', {}, 4),
        visit('carol@gmail.com'),
        visit('dave@elsewhere.example', { accountId: 'globex-1' }),
      ]);
      await as().post('/leads', { id: 'initech-lead', account_id: 'initech' }).expect(201);
      await as()
        .post('/leads', { id: 'initech-lead-2', metadata: { account_id: 'initech' } })
        .expect(201);
      // early@acme.example arrived while ABM was off: grouped when it next changes (or by the backfill)
      const acme = await accountUntil('acct_acme.example', (r) => r.leads_count === 2 && r.engagement_score === 20);
      // the account mapping wrote employees 5000 on ingest: employees >= 1000 (+50); level Watch (0–59)
      expect(acme).toMatchObject({
        name: 'Acme',
        domain: 'acme.example',
        top_score: 10,
        account_score: 50,
        account_level: 'Watch',
        metadata: { employees: 5000 },
      });
      await accountUntil('globex-1', (r) => r.leads_count === 1);
      await accountUntil('initech', (r) => r.leads_count === 2);
      expect((await ids('?limit=500')).sort()).toEqual(['acct_acme.example', 'globex-1', 'initech'].sort());
      expect(await db().query(`SELECT account_ref FROM leads WHERE lead_id = $1`, [await leadIdOf('carol@gmail.com')])).toEqual([{ account_ref: null }]);
    });

    it('re-scores the account after a metadata patch (204) and records its keys; 400 for a bad key, nothing written', async () => {
      await as()
        .patch('/accounts/acct_acme.example/metadata', { metadata: { country: 'DE', segment: 'enterprise' }, name: 'Acme Corporation' })
        .expect(204);
      const acme = (await as().get('/accounts/acct_acme.example').expect(200)).body;
      expect(acme).toMatchObject({ account_id: 'acct_acme.example', org_id: a.orgId, name: 'Acme Corporation', account_score: 70, account_level: 'Target' });
      expect(acme.metadata).toEqual({ employees: 5000, country: 'DE', segment: 'enterprise' });
      await as()
        .patch('/accounts/acct_acme.example/metadata', { metadata: { segment: null } })
        .expect(204);
      expect((await as().get('/accounts/acct_acme.example').expect(200)).body.metadata).toEqual({ employees: 5000, country: 'DE' });
      const bad = await as()
        .patch('/accounts/acct_acme.example/metadata', { metadata: { 'bad/key': 1 }, name: 'Renamed' })
        .expect(400);
      expect(JSON.stringify(bad.body)).toContain('metadata');
      expect((await as().patch('/accounts/acct_acme.example/metadata', { domain: 'not a domain' }).expect(400)).body.details[0].field).toBe('domain');
      expect((await as().get('/accounts/acct_acme.example').expect(200)).body.name).toBe('Acme Corporation');
      const keys = (await as().get('/account-metadata/properties').expect(200)).body;
      expect(JSON.stringify(keys)).toContain('country');
      expect((await api(t, viewer).patch('/accounts/acct_acme.example/metadata', { metadata: { x: 1 } })).status).toBe(403);
      expect((await api(t).patch('/accounts/acct_acme.example/metadata', { metadata: { x: 1 } })).status).toBe(401);
      expect((await api(t, b.admin).patch('/accounts/acct_acme.example/metadata', { metadata: { x: 1 } })).status).toBe(404);
      await t.app.get(AuditWriter).flush();
      const audit = await db().query(`SELECT summary FROM audit_logs WHERE entity_type = 'account' AND entity_id = 'acct_acme.example' ORDER BY id`);
      expect(audit.length).toBe(2);
    });

    it('disqualifies the account’s leads on an account hard-DQ rule and re-qualifies them when the attribute changes', async () => {
      const alice = await leadIdOf('alice@acme.example');
      await as()
        .patch('/accounts/acct_acme.example/metadata', { metadata: { industry: 'Competitor' } })
        .expect(204);
      const lead = await leadOf(alice);
      expect(lead).toMatchObject({
        disqualified: true,
        disqualification: expect.objectContaining({ dimension: 'account', rule_name: 'industry equals Competitor' }),
      });
      // disqualified leads leave the aggregates unless include_disqualified=true
      expect(await accountUntil('acct_acme.example', (r) => r.leads_count === 0)).toMatchObject({ top_score: 0, engagement_score: 0 });
      expect(await accountUntil('acct_acme.example', (r) => r.leads_count === 2, '?include_disqualified=true&limit=500')).toMatchObject({ top_score: 10 });
      const why = (await as().get('/accounts/acct_acme.example/why').expect(200)).body;
      expect(why).toEqual({
        account_id: 'acct_acme.example',
        summary: 'No qualified contacts in this account.',
        factors: [],
        contributing_lead_count: 0,
        total_contact_count: 2,
        mostly_disqualified: true,
      });
      await as()
        .patch('/accounts/acct_acme.example/metadata', { metadata: { industry: 'Software' } })
        .expect(204);
      expect((await leadOf(alice)).disqualified).toBe(false);
      await accountUntil('acct_acme.example', (r) => r.leads_count === 2 && r.top_score === 10);
      const trail = await db().query(`SELECT action, dimension FROM lead_disqualifications WHERE lead_id = $1 ORDER BY id`, [alice]);
      expect(trail).toEqual([
        { action: 'disqualified', dimension: 'account' },
        { action: 'requalified', dimension: 'account' },
      ]);
    });

    it('explains the account: top factors at their maximum contribution among qualified contacts (ACC-8)', async () => {
      const why = (await as().get('/accounts/acct_acme.example/why').expect(200)).body;
      expect(why).toMatchObject({ account_id: 'acct_acme.example', contributing_lead_count: 1, total_contact_count: 2, mostly_disqualified: false });
      expect(why.factors).toEqual([
        { kind: 'account', label: 'employees gte 1000', points: 50, lead_id: null },
        { kind: 'account', label: 'country in DE, FR', points: 20, lead_id: null },
        { kind: 'engagement', label: 'Pricing Page Visit', points: 10, lead_id: expect.any(String) },
      ]);
      expect((await api(t, b.admin).get('/accounts/acct_acme.example/why')).status).toBe(404);
    });

    it('re-scores every account when an account rule changes', async () => {
      const rules = (await as().get(`/account-scoring/rulesets/${ruleset}/rules`).expect(200)).body as { id: string; account_property: string }[];
      const country = rules.find((r) => r.account_property === 'country')!;
      await as().put(`/account-scoring/rulesets/${ruleset}/rules/${country.id}`, { weight: 25 }).expect(200);
      await accountUntil('acct_acme.example', (r) => r.account_score === 75);
      await as().put(`/account-scoring/rulesets/${ruleset}/rules/${country.id}`, { weight: 20 }).expect(200);
      await accountUntil('acct_acme.example', (r) => r.account_score === 70);
    });

    it('dry-runs an account rule on a lead’s account through the live evaluator', async () => {
      const alice = await leadIdOf('alice@acme.example');
      const res = await as()
        .post('/account-scoring/test', { lead_id: alice, rule: { account_property: 'segment', condition: 'is_empty', comparison_value: '', weight: 5 } })
        .expect(200);
      expect(res.body).toMatchObject({ matches: true, current_score: 70, projected_score: 75 });
      expect(
        (
          await api(t, viewer).post('/account-scoring/test', {
            lead_id: alice,
            rule: { account_property: 'x', condition: 'equals', comparison_value: 'y', weight: 1 },
          })
        ).status,
      ).toBe(200);
      const bad = await as()
        .post('/account-scoring/test', { lead_id: alice, rule: { account_property: 'x', condition: 'gt', comparison_value: 'many', weight: 1 } })
        .expect(400);
      expect(JSON.stringify(bad.body)).toContain('comparison_value');
      expect(
        (
          await as().post('/account-scoring/test', {
            lead_id: await leadIdOf('carol@gmail.com'),
            rule: { account_property: 'x', condition: 'equals', comparison_value: 'y', weight: 1 },
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await api(t, b.admin).post('/account-scoring/test', {
            lead_id: alice,
            rule: { account_property: 'x', condition: 'equals', comparison_value: 'y', weight: 1 },
          })
        ).status,
      ).toBe(404);
    });

    it('queues score-now for an account ruleset, followed at GET /scoring/jobs/{jobId}', async () => {
      const res = await as().post(`/scoring/rulesets/account/${ruleset}/score-now`).expect(202);
      expect(res.body).toMatchObject({ status: 'queued', ruleset_id: ruleset });
      const job = await eventually(async () => {
        const j = (await as().get(`/scoring/jobs/${res.body.job_id}`).expect(200)).body;
        return j.status === 'completed' ? j : null;
      });
      expect(job.result).toMatchObject({ accounts: 3 });
    });
  });

  describe('reads', () => {
    it('looks accounts up by domain, then by exact name; null when nothing matches; 400 with neither', async () => {
      expect((await as().get('/accounts/by-domain?domain=ACME.example').expect(200)).body).toEqual({
        account_id: 'acct_acme.example',
        name: 'Acme Corporation',
        domain: 'acme.example',
      });
      expect((await as().get('/accounts/by-domain?domain=nope.example&name=acme corporation').expect(200)).body.account_id).toBe('acct_acme.example');
      const none = await as().get('/accounts/by-domain?domain=nope.example').expect(200);
      expect(none.text).toBe('null');
      expect((await as().get('/accounts/by-domain').expect(400)).body.details[0].field).toBe('domain');
      expect((await api(t, b.admin).get('/accounts/by-domain?domain=acme.example').expect(200)).text).toBe('null');
      expect((await api(t).get('/accounts/by-domain?domain=acme.example')).status).toBe(401);
    });

    it('fuzzy-matches names (Jaro-Winkler / token set ratio), at most 5 above 0.6', async () => {
      const res = (await as().get('/accounts/fuzzy?name=Acme Corp').expect(200)).body;
      expect(res.matches[0]).toMatchObject({ account_id: 'acct_acme.example', name: 'Acme Corporation' });
      expect(res.matches[0].similarity).toBeGreaterThan(0.6);
      // trigram similarity 0.37, word similarity 0.64: found only by the last candidate tier (pg_trgm's default reach)
      const far = (await as().get('/accounts/fuzzy?name=acm corp').expect(200)).body;
      expect(far.matches[0]).toMatchObject({ account_id: 'acct_acme.example', name: 'Acme Corporation' });
      expect((await as().get('/accounts/fuzzy?name=Zyxwv Qqq').expect(200)).body).toEqual({ matches: [] });
      expect((await as().get('/accounts/fuzzy').expect(400)).body.details[0].field).toBe('name');
      expect((await api(t, b.admin).get('/accounts/fuzzy?name=Acme Corporation').expect(200)).body).toEqual({ matches: [] });
    });

    it('lists with every filter and sort, paginated', async () => {
      await as()
        .patch('/accounts/globex-1/metadata', { name: 'Globex', metadata: { employees: 50 } })
        .expect(204);
      await as().patch('/accounts/initech/metadata', { name: 'Initech' }).expect(204);
      expect(await ids('?sort_by=name&sort_order=asc')).toEqual(['acct_acme.example', 'globex-1', 'initech']);
      expect(await ids('?sort_by=name&sort_order=desc')).toEqual(['initech', 'globex-1', 'acct_acme.example']);
      expect((await ids('?sort_by=score'))[0]).toMatch(/acct_acme.example|globex-1/);
      expect(await ids('?search=GLOB')).toEqual(['globex-1']);
      expect(await ids('?search=acme.ex')).toEqual(['acct_acme.example']);
      expect(await ids('?min_score=70')).toEqual(['acct_acme.example']);
      expect(await ids('?account_level=Target')).toEqual(['acct_acme.example']);
      expect((await ids('?intent_level=low')).sort()).toEqual(['acct_acme.example', 'globex-1', 'initech']);
      expect(await ids('?intent_level=high')).toEqual([]);
      expect((await ids('?has_leads=true')).length).toBe(3);
      expect(await ids('?owner_name=nobody')).toEqual([]);
      expect(await ids('?range=last_7d&sort_by=name&sort_order=asc')).toEqual(['acct_acme.example', 'globex-1', 'initech']);
      const page = await list('?limit=2&page=2&sort_by=name&sort_order=asc');
      expect(page).toMatchObject({ total: 3, page: 2, limit: 2 });
      expect(page.accounts.map((r) => r.account_id)).toEqual(['initech']);
      expect((await as().get('/accounts?sort_by=size').expect(400)).body.details[0].field).toBe('sort_by');
      expect((await as().get('/accounts?limit=501')).status).toBe(400);
      expect((await api(t, b.admin).get('/accounts').expect(200)).body).toEqual({ accounts: [], total: 0, page: 1, limit: 50, total_exact: true });
      expect((await api(t, viewer).get('/accounts').expect(200)).body.total).toBe(3);
    });

    it('shows the detail with leads and recent events; 404 for an unknown or foreign id', async () => {
      const d = (await as().get('/accounts/acct_acme.example').expect(200)).body;
      expect(d.leads).toHaveLength(2);
      expect(d.leads[0]).toMatchObject({ score: 10, disqualified: false });
      expect(d.recent_events.map((e: { event_type: string }) => e.event_type)).toEqual(['Pricing Page Visit', 'Pricing Page Visit']);
      expect((await as().get('/accounts/acct_nope')).status).toBe(404);
      expect((await api(t, b.admin).get('/accounts/acct_acme.example')).status).toBe(404);
    });
  });

  describe('merge and batch delete', () => {
    it('merges: leads and deals move, the source is archived and hidden, audited (ACC-7)', async () => {
      await db().query(
        `INSERT INTO deals (id, org_id, unit_id, name, account_id, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, 'Globex renewal', 'globex-1', now(), now())`,
        [a.orgId, a.unitId],
      );
      expect((await as().post('/accounts/globex-1/merge', {}).expect(400)).body.details[0].field).toBe('target_id');
      expect((await as().post('/accounts/globex-1/merge', { target_id: 'globex-1' }).expect(400)).body.details[0].field).toBe('target_id');
      expect((await as().post('/accounts/globex-1/merge', { target_id: 'acct_nope' })).status).toBe(404);
      expect((await api(t, b.admin).post('/accounts/globex-1/merge', { target_id: 'initech' })).status).toBe(404);
      expect((await api(t, viewer).post('/accounts/globex-1/merge', { target_id: 'initech' })).status).toBe(403);
      const res = await as().post('/accounts/globex-1/merge', { target_id: 'initech' }).expect(200);
      expect(res.body).toEqual({ leads_reassigned: 1, deals_reassigned: 1 });
      expect(await ids('?sort_by=name&sort_order=asc')).toEqual(['acct_acme.example', 'initech']);
      expect((await as().get('/accounts/globex-1')).status).toBe(404);
      expect((await list()).accounts.find((r) => r.account_id === 'initech')!.leads_count).toBe(3);
      expect(await db().query(`SELECT account_id FROM deals WHERE name = 'Globex renewal'`)).toEqual([{ account_id: 'initech' }]);
      // a later event with the source's accountId lands on the target
      await ingestAndWait(t, sa.auth, visit('dave@elsewhere.example', { accountId: 'globex-1' }, 1));
      await accountUntil('initech', (r) => r.leads_count === 3);
      await t.app.get(AuditWriter).flush();
      const audit = await db().query(`SELECT verb, summary FROM audit_logs WHERE entity_type = 'account' AND entity_id = 'globex-1'`);
      expect(audit.find((r: { verb: string }) => r.verb === 'merge').summary).toContain(
        'merged account globex-1 into initech: 1 lead(s), 1 deal(s) reassigned',
      );
    });

    it('batch-deletes: leads unlinked (and not regrouped), accounts gone; 404 for a foreign id, nothing written', async () => {
      expect((await as().delete('/accounts').send({ ids: [] }).expect(400)).body.details[0].field).toBe('ids');
      expect(
        (
          await api(t, b.admin)
            .delete('/accounts')
            .send({ ids: ['initech'] })
        ).status,
      ).toBe(404);
      expect(
        (
          await as()
            .delete('/accounts')
            .send({ ids: ['initech', 'acct_nope'] })
        ).status,
      ).toBe(404);
      expect(
        (
          await api(t, viewer)
            .delete('/accounts')
            .send({ ids: ['initech'] })
        ).status,
      ).toBe(403);
      expect(await ids('?sort_by=name&sort_order=asc')).toEqual(['acct_acme.example', 'initech']);
      const res = await as()
        .delete('/accounts')
        .send({ ids: ['initech'] })
        .expect(200);
      expect(res.body).toEqual({ leads_unlinked: 3, accounts_deleted: 1 });
      expect(await ids()).toEqual(['acct_acme.example']);
      expect(await db().query(`SELECT count(*)::int AS n FROM leads WHERE lead_id IN ('initech-lead', 'initech-lead-2') AND account_ref IS NULL`)).toEqual([
        { n: 2 },
      ]);
      await ingestAndWait(t, sa.auth, visit('dave@elsewhere.example', { accountId: 'globex-1' }, 0.5));
      await as()
        .patch('/accounts/acct_acme.example/metadata', { metadata: { touched: true } })
        .expect(204);
      expect(await ids()).toEqual(['acct_acme.example']);
    });
  });

  describe('backfills', () => {
    it('ADM-1 groups leads ingested while ABM was off, answers its counts, and is safe to re-run', async () => {
      const first = (await as().post('/backfill/account-mapping').expect(200)).body;
      expect(first).toMatchObject({ accounts_created: 0 });
      expect(first.leads_processed).toBeGreaterThanOrEqual(7);
      expect(first.accounts_linked).toBe(1); // early@acme.example
      await accountUntil('acct_acme.example', (r) => r.leads_count === 3);
      const again = (await as().post('/backfill/account-mapping').expect(200)).body;
      expect(again).toMatchObject({ accounts_linked: 0, accounts_created: 0, profile_scores_updated: 0 });
      expect((await api(t, viewer).post('/backfill/account-mapping')).status).toBe(403);
    });

    it('ADM-2 writes accountId into events that have none, once', async () => {
      const first = (await as().post('/backfill/event-account-id').expect(200)).body;
      expect(first.events_updated).toBe(3); // alice, bob, early at acme
      expect(first.events_scanned).toBeGreaterThanOrEqual(first.events_updated);
      expect(first.leads_without_account).toBeGreaterThanOrEqual(2); // carol (free mail), dave (unlinked)
      const rows = await db().query(
        `SELECT DISTINCT e.metadata->>'accountId' AS a FROM lead_events e JOIN leads l ON l.id = e.lead_ref WHERE l.account_ref IS NOT NULL`,
      );
      expect(rows).toEqual([{ a: 'acct_acme.example' }]);
      const again = (await as().post('/backfill/event-account-id').expect(200)).body;
      expect(again.events_updated).toBe(0);
    });
  });
});
