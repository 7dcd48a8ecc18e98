import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { emailAliases as email, ingestAndWait } from './support/ingest';
import { createRuleset } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { ago, MIN, NOW } from './support/time';

/**
 * Issue 12 gaps (accounts): the lead detail's account, the event accountId backfill (ADM-2) read back consistently,
 * buying-committee members leaving with their lead, account levels following a level edit/revert, `surging` from
 * surge firings, and disqualified leads leaving the account aggregates.
 */
describe('Accounts: issue 12 gaps', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  let hook: { server: Server; base: string; hits: number };
  const as = () => api(t, sa.auth);
  const db = () => t.app.get(DataSource);
  const visit = (who: string, metadata: object = {}, minutesAgo = 5, eventType = 'Pricing Page Visit') => ({
    ...email(who),
    event_type: eventType,
    timestamp: ago(minutesAgo * MIN),
    metadata,
  });
  const leadIdOf = async (mail: string) =>
    (await db().query(`SELECT l.lead_id FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.value = $1`, [mail]))[0]?.lead_id as string;
  interface Row {
    account_id: string;
    leads_count: number;
    top_score: number;
    engagement_score: number;
    surging: boolean;
    account_level: string | null;
  }
  const list = async (query = ''): Promise<Row[]> => (await as().get(`/accounts${query}`).expect(200)).body.accounts;
  const accountUntil = (id: string, want: (r: Row) => boolean, query = '?limit=500') =>
    eventually(async () => {
      const r = (await list(query)).find((x) => x.account_id === id);
      return r && want(r) ? r : null;
    });
  const accountCount = async () => (await db().query(`SELECT count(*)::int AS n FROM accounts WHERE unit_id = $1`, [a.unitId]))[0].n as number;

  beforeAll(async () => {
    ({ t, a, b, sa } = await startScenario({ now: NOW, rival: 'Gap Rivals', serviceAccount: 'gaps' }));
    viewer = (await memberWithRole(t, a, 'viewer-gaps@first.example', 'Viewer')).auth;
    await activateOu(t, a.admin, a.unitId);
    await activateOu(t, viewer, a.unitId);
    await api(t, a.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    await api(t, b.admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    await createRuleset(t, sa.auth, 'Engagement', [
      { event_type: 'Pricing Page Visit', weight: 10 },
      { event_type: 'Demo Request', weight: 5 },
    ]);
    const server = createServer((req, res) => {
      hook.hits++;
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hook = { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: 0 };
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => hook.server.close(r));
  });

  describe('1. the lead detail shows its account', () => {
    it('GET /lead/{id} and /leads/{id} carry the account the lead is grouped into; null without one', async () => {
      await ingestAndWait(t, sa.auth, [visit('ann@umbrella.example'), visit('free@gmail.com')]);
      await accountUntil('acct_umbrella.example', (r) => r.leads_count === 1);
      await as()
        .patch('/accounts/acct_umbrella.example/metadata', { metadata: { industry: 'Pharma' } })
        .expect(204);
      const ann = await leadIdOf('ann@umbrella.example');
      for (const path of [`/lead/${ann}`, `/leads/${ann}`]) {
        const body = (await as().get(path).expect(200)).body;
        expect(body.lead).toMatchObject({ lead_id: ann, account_id: 'acct_umbrella.example' });
        expect(body.account).toEqual({
          account_id: 'acct_umbrella.example',
          name: 'Umbrella',
          domain: 'umbrella.example',
          metadata: { industry: 'Pharma' },
          top_score: 10,
          leads_count: 1,
          engagement_score: 10,
          owner_name: null,
          surging: false,
          account_score: 0,
          account_level: null,
          last_activity_at: ago(5 * MIN),
          created_at: expect.any(String),
        });
      }
      expect((await as().get(`/leads/${ann}/account`).expect(200)).body).toEqual({
        lead_id: ann,
        account_id: 'acct_umbrella.example',
        metadata: { industry: 'Pharma' },
      });
      const free = await leadIdOf('free@gmail.com');
      expect((await as().get(`/lead/${free}`).expect(200)).body).toMatchObject({ lead: { account_id: null }, account: null });
      expect((await as().get(`/leads/${free}/account`).expect(200)).body).toEqual({ lead_id: free, account_id: null, metadata: null });
      // the list items carry the grouped account's id
      const items = (await as().get('/leads?limit=500').expect(200)).body.leads as { lead_id: string; account_id: string | null }[];
      expect(items.find((l) => l.lead_id === ann)!.account_id).toBe('acct_umbrella.example');
      expect(items.find((l) => l.lead_id === free)!.account_id).toBeNull();
      expect((await api(t, b.admin).get(`/lead/${ann}`)).status).toBe(404);
      expect((await api(t).get(`/lead/${ann}`)).status).toBe(401);
    });
  });

  describe('2. ADM-2 backfill read back consistently', () => {
    it('a backfilled (or client-sent) accountId naming an existing account links to it: no duplicate account, ADM-1 stays safe to re-run', async () => {
      await ingestAndWait(t, sa.auth, [visit('bo@wayne.example'), visit('cy@wayne.example', {}, 4)]);
      await accountUntil('acct_wayne.example', (r) => r.leads_count === 2);
      const before = await accountCount();
      const stored = (await db().query(`SELECT count(*)::int AS n FROM event_store_events WHERE payload->'metadata' ? 'accountId'`))[0].n;
      const first = (await as().post('/backfill/event-account-id').expect(200)).body;
      expect(first.events_updated).toBeGreaterThanOrEqual(3); // ann, bo, cy
      expect(first.leads_without_account).toBeGreaterThanOrEqual(1); // free@gmail.com
      expect(
        (
          await db().query(`SELECT DISTINCT e.metadata->>'accountId' AS a FROM lead_events e JOIN leads l ON l.id = e.lead_ref WHERE l.lead_id = $1`, [
            await leadIdOf('bo@wayne.example'),
          ])
        ).map((r: { a: string }) => r.a),
      ).toEqual(['acct_wayne.example']);
      // the event store stays append-only: the backfill is a read-model correction
      expect((await db().query(`SELECT count(*)::int AS n FROM event_store_events WHERE payload->'metadata' ? 'accountId'`))[0].n).toBe(stored);
      expect((await as().post('/backfill/event-account-id').expect(200)).body.events_updated).toBe(0);
      // ADM-1 reads the backfilled accountId: the leads stay where they are, nothing created, nothing counted as linked
      const adm1 = (await as().post('/backfill/account-mapping').expect(200)).body;
      expect(adm1).toMatchObject({ accounts_created: 0, accounts_linked: 0 });
      expect(await accountCount()).toBe(before);
      // a client sending the id the API shows lands in that account (no second account with the same public id)
      await ingestAndWait(t, sa.auth, visit('di@elsewhere.example', { accountId: 'acct_wayne.example' }, 3));
      await accountUntil('acct_wayne.example', (r) => r.leads_count === 3);
      expect(await accountCount()).toBe(before);
      expect((await api(t, viewer).post('/backfill/event-account-id')).status).toBe(403);
      expect((await api(t).post('/backfill/event-account-id')).status).toBe(401);
    });
  });

  describe('3. buying committee members leave with their lead', () => {
    const path = '/accounts/acct_cyberdyne.example/buying-committee';
    const members = async () => ((await as().get(path).expect(200)).body as { lead_id: string }[]).map((m) => m.lead_id).sort();

    it('a lead re-grouped into another account, or merged away, is no longer a member of the old account', async () => {
      await ingestAndWait(t, sa.auth, [visit('miles@cyberdyne.example'), visit('sarah@cyberdyne.example'), visit('john@cyberdyne.example')]);
      await accountUntil('acct_cyberdyne.example', (r) => r.leads_count === 3);
      const miles = await leadIdOf('miles@cyberdyne.example');
      const sarah = await leadIdOf('sarah@cyberdyne.example');
      const john = await leadIdOf('john@cyberdyne.example');
      await as().patch(`/lead/${miles}/metadata`, { title: 'Chief Technology Officer' }).expect(200);
      await as().post(path, { lead_id: sarah, role: 'champion' }).expect(201);
      await as().post(path, { lead_id: john, role: 'kol' }).expect(201);
      await as().post(`${path}/refresh`).expect(200);
      expect(await members()).toEqual([john, miles, sarah].sort());

      // re-grouping: sarah's own account_id moves her to another account
      await as().patch(`/lead/${sarah}/metadata`, { account_id: 'skynet' }).expect(200);
      await accountUntil('skynet', (r) => r.leads_count === 1);
      await eventually(async () => !(await members()).includes(sarah));

      // lead merge: miles (an inferred member) merged into a lead outside the account
      const target = await leadIdOf('free@gmail.com');
      await as()
        .post('/leads/merge', { targetLeadId: target, sourceLeadIds: [miles] })
        .expect(200);
      await eventually(async () => !(await members()).includes(miles));
      expect(await members()).toEqual([john]);
      expect(
        (
          await db().query(
            `SELECT count(*)::int AS n FROM account_committee_members c JOIN leads l ON l.id = c.lead_ref WHERE l.account_ref IS DISTINCT FROM c.account_ref`,
          )
        )[0].n,
      ).toBe(0);
      // the refresh does not bring them back
      await as().post(`${path}/refresh`).expect(200);
      expect(await members()).toEqual([john]);
    });

    it('an account merge moves the leads without leaving members on the archived source', async () => {
      await ingestAndWait(t, sa.auth, [visit('kyle@tech-noir.example')]);
      await accountUntil('acct_tech-noir.example', (r) => r.leads_count === 1);
      const kyle = await leadIdOf('kyle@tech-noir.example');
      await as().post('/accounts/acct_tech-noir.example/buying-committee', { lead_id: kyle, role: 'influencer' }).expect(201);
      await as().post('/accounts/acct_tech-noir.example/merge', { target_id: 'acct_cyberdyne.example' }).expect(200);
      const stale = await db().query(
        `SELECT c.lead_id FROM account_committee_members c JOIN accounts a ON a.id = c.account_ref WHERE a.archived_at IS NOT NULL OR a.account_id = 'acct_tech-noir.example'`,
      );
      expect(stale).toEqual([]);
    });
  });

  describe('4. account levels follow the level configuration', () => {
    it('classifies accounts on a level create, update and revert, like profile and engagement levels', async () => {
      expect((await list('?limit=500')).every((r) => r.account_level === null)).toBe(true);
      const cold = (await as().post('/account-scoring/levels', { name: 'Cold', min_score: 0, max_score: 49 }).expect(201)).body;
      await eventually(async () => (await list('?limit=500')).every((r) => r.account_level === 'Cold'));
      expect((await list('?account_level=Cold&limit=500')).length).toBeGreaterThanOrEqual(4);
      await as().put(`/account-scoring/levels/${cold.level_id}`, { name: 'Frozen' }).expect(200);
      await eventually(async () => (await list('?limit=500')).every((r) => r.account_level === 'Frozen'));
      const history = (await as().get('/account-scoring/levels/history').expect(200)).body as { history_id: string; action: string }[];
      const created = history.find((h) => h.action === 'create')!;
      await as().post('/account-scoring/levels/revert', { history_id: created.history_id }).expect(200);
      await eventually(async () => (await list('?limit=500')).every((r) => r.account_level === 'Cold'));
      expect((await as().get('/accounts/acct_umbrella.example').expect(200)).body.account_level).toBe('Cold');
    });
  });

  describe('5. surging accounts', () => {
    it('an account surges from a surge firing of the last 24 h; the surging filter selects it', async () => {
      await as()
        .post('/surge-triggers', { event_type: 'Demo Request', window_seconds: 3600, threshold_count: 2, webhook_url: `${hook.base}/surge` })
        .expect(201);
      await ingestAndWait(t, sa.auth, [visit('sam@initech.example', {}, 30), visit('pat@hooli.example', {}, 30)]);
      await accountUntil('acct_initech.example', (r) => r.leads_count === 1 && !r.surging);
      await ingestAndWait(t, sa.auth, [visit('sam@initech.example', {}, 3, 'Demo Request'), visit('sam@initech.example', {}, 2, 'Demo Request')]);
      const firedAt = await eventually(
        async () => (await db().query(`SELECT fired_at FROM surge_events WHERE lead_id = $1`, [await leadIdOf('sam@initech.example')]))[0]?.fired_at as Date,
      );
      await accountUntil('acct_initech.example', (r) => r.surging);
      expect((await as().get('/accounts/acct_initech.example').expect(200)).body.surging).toBe(true);
      expect((await list('?limit=500')).find((r) => r.account_id === 'acct_hooli.example')!.surging).toBe(false);
      expect((await list('?surging=true&limit=500')).map((r) => r.account_id)).toEqual(['acct_initech.example']);
      const calm = (await list('?surging=false&limit=500')).map((r) => r.account_id);
      expect(calm).toContain('acct_hooli.example');
      expect(calm).not.toContain('acct_initech.example');
      expect((await as().get('/accounts?surging=maybe')).status).toBe(400);
      // 23 hours after the firing (its recording time) the account still surges, 25 hours after it no longer does
      t.clock.set(new Date(new Date(firedAt).getTime() + 23 * 60 * MIN));
      try {
        expect((await list('?surging=true&limit=500')).map((r) => r.account_id)).toEqual(['acct_initech.example']);
        t.clock.set(new Date(new Date(firedAt).getTime() + 25 * 60 * MIN));
        expect((await list('?limit=500')).find((r) => r.account_id === 'acct_initech.example')!.surging).toBe(false);
        expect((await list('?surging=true&limit=500')).map((r) => r.account_id)).toEqual([]);
      } finally {
        t.clock.set(NOW);
      }
    });
  });

  describe('6. disqualified leads leave the account aggregates', () => {
    let fit: string;

    it('a profile hard-DQ (new rule, then a metadata change) drops the lead from the counts and scores unless include_disqualified=true', async () => {
      await ingestAndWait(t, sa.auth, [visit('q1@stark.example', {}, 6), visit('q1@stark.example', {}, 5), visit('q2@stark.example', {}, 4)]);
      await accountUntil('acct_stark.example', (r) => r.leads_count === 2 && r.top_score === 20 && r.engagement_score === 30);
      const q1 = await leadIdOf('q1@stark.example');
      const q2 = await leadIdOf('q2@stark.example');
      await as().patch(`/lead/${q1}/metadata`, { industry: 'Spam' }).expect(200);
      fit = (await as().post('/profile-scoring/rulesets', { name: 'Fit', is_primary: true }).expect(201)).body.id;
      // the rule arrives after the attribute: the OU's re-evaluation disqualifies q1
      await as()
        .post(`/profile-scoring/rulesets/${fit}/rules`, {
          profile_property: 'industry',
          condition: 'equals',
          comparison_value: 'Spam',
          weight: 0,
          rule_type: 'hard_disqualify',
        })
        .expect(201);
      await eventually(async () => (await as().get(`/lead/${q1}`).expect(200)).body.lead.disqualified);
      expect(await accountUntil('acct_stark.example', (r) => r.leads_count === 1)).toMatchObject({ top_score: 10, engagement_score: 10 });
      expect(await accountUntil('acct_stark.example', (r) => r.leads_count === 2, '?include_disqualified=true&limit=500')).toMatchObject({
        top_score: 20,
        engagement_score: 30,
      });
      // the attribute changes on q2: disqualified as well
      await as().patch(`/lead/${q2}/metadata`, { industry: 'Spam' }).expect(200);
      expect(await accountUntil('acct_stark.example', (r) => r.leads_count === 0)).toMatchObject({ top_score: 0, engagement_score: 0 });
      expect((await as().get('/accounts?has_leads=true&limit=500').expect(200)).body.accounts.map((r: Row) => r.account_id)).not.toContain(
        'acct_stark.example',
      );
      // and re-qualified when the attribute changes back
      await as().patch(`/lead/${q1}/metadata`, { industry: 'Robotics' }).expect(200);
      expect(await accountUntil('acct_stark.example', (r) => r.leads_count === 1)).toMatchObject({ top_score: 20, engagement_score: 20 });
    });
  });
});
