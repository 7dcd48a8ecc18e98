import { DataSource } from 'typeorm';
import request from 'supertest';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { hubSpotSyncLock, RUN_HUBSPOT_SYNC } from '../src/modules/hubspot/sync/hubspot-sync.processor';
import { QueueName } from '../src/platform/queues';
import { fakeHubSpot, FakeObject, HUBSPOT_CODE, listData } from '../bench/support/fake-hubspot';
import { activateOu, api, Auth, basic, memberWithRole, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

const CLIENT_ID = 'byo-client-id';
const CLIENT_SECRET = 'byo-client-secret-7c6d5e';
const OPS = basic('ops', 'ops-secret');

const contact = (id: string, email: string | null, props: Record<string, string> = {}): FakeObject => ({
  id,
  properties: { email, firstname: null, ...props },
  updatedAt: '2026-11-01T00:00:00.000Z',
});

/** The fake portal: 4 contacts (one without e-mail), 2 companies, 2 deals, 2 pipelines' stages, emails, a call and a note. */
function portal() {
  return listData({
    contacts: [
      contact('101', 'Ann@Acme.example', { firstname: 'Ann', jobtitle: 'CTO' }),
      contact('102', 'bob@beta.example', { firstname: 'Bob', jobtitle: 'Buyer' }),
      contact('103', null, { firstname: 'Nobody' }),
      contact('104', 'cara@acme.example', { firstname: 'Cara' }),
    ],
    companies: [
      { id: '201', properties: { name: 'Acme Inc', domain: 'https://www.acme.example/', industry: 'Software' }, updatedAt: '2026-11-01T00:00:00.000Z' },
      { id: '202', properties: { name: 'Beta Corp', domain: null, industry: 'Retail' }, updatedAt: '2026-11-01T00:00:00.000Z' },
    ],
    deals: [
      {
        id: '301',
        properties: {
          dealname: 'Acme expansion',
          dealstage: 'closedwon',
          pipeline: 'default',
          amount: '5000',
          closedate: '2026-10-15T00:00:00.000Z',
          hs_is_closed: 'true',
        },
        associations: { companies: ['201'] },
        updatedAt: '2026-11-01T00:00:00.000Z',
      },
      {
        id: '302',
        properties: { dealname: 'Beta pilot', dealstage: 'appointmentscheduled', pipeline: 'default', amount: '1200', hs_is_closed: 'false' },
        associations: { companies: ['202'] },
        updatedAt: '2026-11-01T00:00:00.000Z',
      },
    ],
    emails: [
      { id: '401', properties: { hs_timestamp: '2026-10-01T09:00:00.000Z', hs_email_subject: 'Intro' }, associations: { contacts: ['101'] } },
      { id: '402', properties: { hs_timestamp: '2026-10-02T09:00:00.000Z', hs_email_subject: 'Pricing' }, associations: { contacts: ['101', '102'] } },
      // a contact that has no lead (no e-mail): skipped
      { id: '403', properties: { hs_timestamp: '2026-10-03T09:00:00.000Z', hs_email_subject: 'Lost' }, associations: { contacts: ['103'] } },
    ],
    calls: [{ id: '501', properties: { hs_timestamp: '2026-10-05T15:30:00.000Z', hs_call_title: 'Discovery' }, associations: { contacts: ['102'] } }],
    notes: [{ id: '601', properties: { hs_timestamp: '2026-10-06T10:00:00.000Z' }, associations: { contacts: ['104'] } }],
  });
}

const PIPELINES = [
  {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    stages: [
      { id: 'closedwon', label: 'Closed Won', displayOrder: 1, metadata: { isClosed: 'true', probability: '1.0' } },
      { id: 'appointmentscheduled', label: 'Appointment Scheduled', displayOrder: 0, metadata: { isClosed: 'false', probability: '0.2' } },
    ],
  },
];

describe('HubSpot', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let viewer: Auth;
  let ds: DataSource;
  let data: ReturnType<typeof portal>;
  let hs: Awaited<ReturnType<typeof fakeHubSpot>>;
  const as = () => api(t, a.admin);

  beforeAll(async () => {
    data = portal();
    hs = await fakeHubSpot({ data, pipelines: PIPELINES, pageSize: 2, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    ({ t, a, b } = await startScenario({
      rival: 'HubSpot Rivals',
      env: {
        HUBSPOT_API_BASE_URL: hs.base,
        HUBSPOT_AUTHORIZE_URL: `${hs.base}/oauth/authorize`,
        KENBUN_PUBLIC_URL: 'https://kenbun.example',
        KENBUN_APP_URL: 'https://app.kenbun.example',
        QUEUE_DASHBOARD_USER: 'ops',
        QUEUE_DASHBOARD_PASSWORD: 'ops-secret',
        SCHEDULER_ENABLED: false,
      },
    }));
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@hubspot.example', 'Viewer')).auth;
  });
  afterAll(async () => {
    await t.close();
    await hs.close();
  });

  const connect = async () => {
    const res = await as().post('/settings/ou/hubspot/oauth/initiate').expect(200);
    const state = new URL(res.body.authorize_url).searchParams.get('state')!;
    await request(t.http)
      .get(`/hubspot/oauth/callback?code=${HUBSPOT_CODE}&state=${encodeURIComponent(state)}`)
      .expect(302);
  };
  /** Queues a backfill and waits for its run to finish; answers the run row. */
  const backfill = async (body?: object) => {
    const before = new Set((await ds.query(`SELECT id FROM hubspot_sync_runs`)).map((r: { id: string }) => r.id));
    const res = await (body === undefined ? as().post('/settings/ou/hubspot/backfill') : as().post('/settings/ou/hubspot/backfill', body)).expect(202);
    const run = await eventually(async () => {
      const rows = (await ds.query(`SELECT * FROM hubspot_sync_runs WHERE unit_id = $1`, [a.unitId])).filter((r: { id: string }) => !before.has(r.id));
      return rows[0] && ['completed', 'failed'].includes(rows[0].status) ? rows[0] : null;
    }, 30000);
    return { res, run };
  };
  /** The counts once they equal `expected` (what they are after 20 s otherwise, for the assertion to show). */
  const countsReaching = async (expected: object) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const now = await counts();
      if (JSON.stringify(now) === JSON.stringify(expected) || Date.now() > deadline) return now;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Leads, accounts, deals and recorded events of OU A, once the event projections have caught up (two equal reads). */
  const counts = async () => {
    const read = async () =>
      (
        await ds.query(
          `SELECT (SELECT count(*)::int FROM leads WHERE unit_id = $1) AS leads,
                  (SELECT count(*)::int FROM accounts WHERE unit_id = $1) AS accounts,
                  (SELECT count(*)::int FROM deals WHERE unit_id = $1) AS deals,
                  (SELECT count(*)::int FROM lead_events WHERE unit_id = $1) AS events`,
          [a.unitId],
        )
      )[0];
    let last = JSON.stringify(await read());
    return eventually(async () => {
      await new Promise((r) => setTimeout(r, 300));
      const now = await read();
      const same = JSON.stringify(now) === last;
      last = JSON.stringify(now);
      return same ? now : null;
    });
  };

  describe('connection (HS-3..5)', () => {
    it('is unconfigured without a shared app or BYO credentials, and cannot start OAuth (412)', async () => {
      expect((await as().get('/settings/ou/hubspot').expect(200)).body).toEqual({
        connected: false,
        status: 'disconnected',
        app_mode: 'unconfigured',
        has_credentials: false,
        portal_id: null,
        last_synced_at: null,
        last_error: null,
      });
      const res = await as().post('/settings/ou/hubspot/oauth/initiate').expect(412);
      expect(res.body.error).toBe('hubspot_app_not_configured');
      await api(t).get('/settings/ou/hubspot').expect(401);
    });

    it('saves BYO credentials sealed (400 names the field, Viewer 403, nothing written)', async () => {
      const bad = await as().post('/settings/ou/hubspot/credentials', { client_id: CLIENT_ID }).expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('client_secret');
      await api(t, viewer).post('/settings/ou/hubspot/credentials', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).expect(403);
      await api(t).post('/settings/ou/hubspot/credentials', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).expect(401);
      expect((await ds.query(`SELECT count(*)::int AS n FROM hubspot_connections`))[0].n).toBe(0);

      expect((await as().post('/settings/ou/hubspot/credentials', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }).expect(200)).body).toEqual({
        status: 'saved',
        app_mode: 'byo',
      });
      const [row] = await ds.query(`SELECT * FROM hubspot_connections WHERE unit_id = $1`, [a.unitId]);
      expect(row.client_id).toBe(CLIENT_ID);
      expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
      const status = (await as().get('/settings/ou/hubspot').expect(200)).body;
      expect(status).toMatchObject({ connected: false, app_mode: 'byo', has_credentials: true });
      expect(JSON.stringify(status)).not.toContain(CLIENT_SECRET);
      // the other organization's OU is untouched
      expect((await api(t, b.admin).get('/settings/ou/hubspot').expect(200)).body).toMatchObject({ app_mode: 'unconfigured', has_credentials: false });
    });

    it('runs the OAuth round trip with a single-use state and stores the tokens sealed', async () => {
      await api(t, viewer).post('/settings/ou/hubspot/oauth/initiate').expect(403);
      const res = await as().post('/settings/ou/hubspot/oauth/initiate').expect(200);
      const url = new URL(res.body.authorize_url);
      expect(res.body).toEqual({ authorize_url: url.toString(), url: url.toString(), app_mode: 'byo' });
      expect(`${url.origin}${url.pathname}`).toBe(`${hs.base}/oauth/authorize`);
      expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
      expect(url.searchParams.get('redirect_uri')).toBe('https://kenbun.example/hubspot/oauth/callback');
      expect(url.searchParams.get('scope')).toContain('crm.objects.contacts.read');
      const state = url.searchParams.get('state')!;
      expect(state).toMatch(/^[\w-]{40,}$/);

      await request(t.http).get(`/hubspot/oauth/callback?code=${HUBSPOT_CODE}&state=not-a-state`).expect(400);
      const done = await request(t.http)
        .get(`/hubspot/oauth/callback?code=${HUBSPOT_CODE}&state=${encodeURIComponent(state)}`)
        .expect(302);
      expect(done.headers.location).toBe('https://app.kenbun.example/settings/integrations');
      const exchange = hs.calls.filter((c) => c.path === '/oauth/v1/token');
      expect(exchange).toHaveLength(1);
      expect(exchange[0].form).toEqual({
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uri: 'https://kenbun.example/hubspot/oauth/callback',
        code: HUBSPOT_CODE,
      });
      // single use
      const again = await request(t.http)
        .get(`/hubspot/oauth/callback?code=${HUBSPOT_CODE}&state=${encodeURIComponent(state)}`)
        .expect(400);
      expect(again.body.error).toBe('hubspot_oauth_state_invalid');
      expect(hs.calls.filter((c) => c.path === '/oauth/v1/token')).toHaveLength(1);

      expect((await as().get('/settings/ou/hubspot').expect(200)).body).toEqual({
        connected: true,
        status: 'connected',
        app_mode: 'byo',
        has_credentials: true,
        portal_id: '4242',
        last_synced_at: null,
        last_error: null,
      });
      const [row] = await ds.query(`SELECT * FROM hubspot_connections WHERE unit_id = $1`, [a.unitId]);
      expect(row.status).toBe('connected');
      expect(JSON.stringify(row)).not.toContain('hs-access-1');
      expect(JSON.stringify(row)).not.toContain('hs-refresh-1');
      // saved credentials, started and completed the connection: audited as the admin
      const audit = await eventually(async () => {
        const rows = await ds.query(`SELECT verb, summary, user_email FROM audit_logs WHERE unit_id = $1 AND entity_type = 'hubspot_connection' ORDER BY id`, [
          a.unitId,
        ]);
        return rows.length >= 3 ? rows : null;
      });
      expect(audit.map((r: { summary: string }) => r.summary)).toEqual([
        `${a.adminEmail} saved BYO HubSpot app credentials (client id ${CLIENT_ID})`,
        `${a.adminEmail} started the HubSpot connection (byo app)`,
        `${a.adminEmail} connected HubSpot portal 4242 (byo app)`,
      ]);
      expect(audit.every((r: { user_email: string }) => r.user_email === a.adminEmail)).toBe(true);
      // B is not connected: its import has nothing to run on
      const other = await api(t, b.admin).post('/settings/ou/hubspot/backfill').expect(404);
      expect(other.body.error).toBe('hubspot_connection_not_found');
    });
  });

  describe('engagement preferences (HS-1, HS-6)', () => {
    it('validates, stores and reads the engagement types', async () => {
      const bad = await as()
        .put('/settings/ou/hubspot/engagement-types', { engagement_types: ['emails', 'faxes'] })
        .expect(400);
      expect(bad.body.details[0].field).toMatch(/^engagement_types/);
      await as().put('/settings/ou/hubspot/engagement-types', { include_engagement_history: true }).expect(400);
      await api(t, viewer)
        .put('/settings/ou/hubspot/engagement-types', { engagement_types: ['emails'] })
        .expect(403);
      expect((await as().get('/settings/ou/hubspot/engagement-types').expect(200)).body).toEqual({
        engagement_types: [],
        include_engagement_history: false,
        engagement_history_synced: false,
        engagement_history_synced_at: null,
      });
      expect(
        (
          await as()
            .put('/settings/ou/hubspot/engagement-types', { engagement_types: ['emails', 'calls'], include_engagement_history: true })
            .expect(200)
        ).body,
      ).toEqual({ engagement_types: ['emails', 'calls'], include_engagement_history: true });
      expect((await api(t, b.admin).get('/settings/ou/hubspot/engagement-types').expect(200)).body.engagement_types).toEqual([]);
    });
  });

  describe('historical import (HS-2, HS-7, DEAL-4)', () => {
    it('rejects a bad body (400 naming the field) and Viewers (403), queuing nothing', async () => {
      const bad = await as().post('/settings/ou/hubspot/backfill', { include_contacts: 'yes' }).expect(400);
      expect(bad.body.details[0].field).toBe('include_contacts');
      await api(t, viewer).post('/settings/ou/hubspot/backfill').expect(403);
      await api(t).post('/settings/ou/hubspot/backfill').expect(401);
      expect((await ds.query(`SELECT count(*)::int AS n FROM hubspot_sync_runs`))[0].n).toBe(0);
    });

    it('imports contacts, companies, deals, pipelines and the chosen engagements, waiting out a 429', async () => {
      await as().post('/profile-mappings', { source_field: 'jobtitle', profile_property: 'title' }).expect(201);
      hs.rateLimitOnce('contacts');
      const { res, run } = await backfill({ include_engagement_history: true });
      expect(res.body).toEqual({
        status: 'queued',
        message: 'Historical import started',
        queued: ['contacts', 'companies', 'deals', 'engagements:emails', 'engagements:calls'],
      });
      expect(run.status).toBe('completed');
      expect(run.counts).toMatchObject({ pipelines: 1, companies: 2, contacts: 3, contacts_skipped: 1, leads_created: 3, deals: 2, emails: 3, calls: 1 });
      // the 429 was waited out and the page asked for again
      const contactCalls = hs.calls.filter((c) => c.path === '/crm/v3/objects/contacts');
      expect(contactCalls.map((c) => [c.status, c.query.after ?? null])).toEqual([
        [429, null],
        [200, null],
        [200, '2'],
      ]);
      expect(hs.calls.some((c) => c.path === '/crm/v3/objects/notes')).toBe(false);

      // leads by e-mail, with the HubSpot alias and the mapped property
      const leads = await ds.query(
        `SELECT l.metadata, array_agg(a.kind || ':' || a.value ORDER BY a.kind, a.value) AS aliases
           FROM leads l JOIN lead_aliases a ON a.lead_ref = l.id WHERE l.unit_id = $1 GROUP BY l.id ORDER BY min(a.value)`,
        [a.unitId],
      );
      expect(leads).toEqual([
        { aliases: ['email:ann@acme.example', 'external_id:hubspot:101'], metadata: { hubspot_contact_id: '101', title: 'CTO' } },
        { aliases: ['email:bob@beta.example', 'external_id:hubspot:102'], metadata: { hubspot_contact_id: '102', title: 'Buyer' } },
        { aliases: ['email:cara@acme.example', 'external_id:hubspot:104'], metadata: { hubspot_contact_id: '104' } },
      ]);

      // companies feed accounts: by domain (where leads of that domain meet them), else by HubSpot id
      const accounts = await ds.query(`SELECT account_id, name, domain, metadata FROM accounts WHERE unit_id = $1 ORDER BY account_id`, [a.unitId]);
      expect(accounts).toEqual([
        { account_id: 'acct_acme.example', name: 'Acme Inc', domain: 'acme.example', metadata: { hubspot_company_id: '201', industry: 'Software' } },
        { account_id: 'hubspot_202', name: 'Beta Corp', domain: null, metadata: { hubspot_company_id: '202', industry: 'Retail' } },
      ]);

      const deals = await ds.query(
        `SELECT external_id, source, name, stage, amount, account_id, deal_score, closed_at, properties->>'pipeline' AS pipeline FROM deals WHERE unit_id = $1 ORDER BY external_id`,
        [a.unitId],
      );
      expect(deals).toEqual([
        {
          external_id: '301',
          source: 'hubspot',
          name: 'Acme expansion',
          stage: 'closedwon',
          amount: 5000,
          account_id: 'acct_acme.example',
          deal_score: 0,
          closed_at: new Date('2026-10-15T00:00:00.000Z'),
          pipeline: 'default',
        },
        {
          external_id: '302',
          source: 'hubspot',
          name: 'Beta pilot',
          stage: 'appointmentscheduled',
          amount: 1200,
          account_id: 'hubspot_202',
          deal_score: 0,
          closed_at: null,
          pipeline: 'default',
        },
      ]);

      const [pipeline] = await ds.query(`SELECT pipeline_id, label, stages FROM deal_pipelines WHERE unit_id = $1`, [a.unitId]);
      expect(pipeline).toEqual({
        pipeline_id: 'default',
        label: 'Sales Pipeline',
        stages: [
          { id: 'appointmentscheduled', label: 'Appointment Scheduled', display_order: 0, is_closed: false, probability: 0.2 },
          { id: 'closedwon', label: 'Closed Won', display_order: 1, is_closed: true, probability: 1 },
        ],
      });

      // engagements: events of their contacts' leads, at HubSpot's times, without triggers; notes were not chosen
      // (lead_events is a projection of the recorded events: read once it caught up)
      const events = await eventually(async () => {
        const rows = await ds.query(
          `SELECT a.value AS email, e.event_type, e.occurred_at, e.skip_triggers, e.metadata->>'hubspot_engagement_id' AS hubspot_id
             FROM lead_events e JOIN lead_aliases a ON a.lead_ref = e.lead_ref AND a.kind = 'email' WHERE e.unit_id = $1 ORDER BY e.occurred_at, a.value`,
          [a.unitId],
        );
        return rows.length >= 4 ? rows : null;
      });
      expect(events).toEqual([
        { email: 'ann@acme.example', event_type: 'hubspot_email', occurred_at: new Date('2026-10-01T09:00:00.000Z'), skip_triggers: true, hubspot_id: '401' },
        { email: 'ann@acme.example', event_type: 'hubspot_email', occurred_at: new Date('2026-10-02T09:00:00.000Z'), skip_triggers: true, hubspot_id: '402' },
        { email: 'bob@beta.example', event_type: 'hubspot_email', occurred_at: new Date('2026-10-02T09:00:00.000Z'), skip_triggers: true, hubspot_id: '402' },
        { email: 'bob@beta.example', event_type: 'hubspot_call', occurred_at: new Date('2026-10-05T15:30:00.000Z'), skip_triggers: true, hubspot_id: '501' },
      ]);

      const status = (await as().get('/settings/ou/hubspot').expect(200)).body;
      expect(status.last_synced_at).toBe(new Date(run.started_at).toISOString());
      expect((await as().get('/settings/ou/hubspot/engagement-types').expect(200)).body).toMatchObject({
        engagement_history_synced: true,
        engagement_history_synced_at: expect.any(String),
      });
      // another organization sees none of it
      expect((await api(t, b.admin).get('/settings/ou/hubspot').expect(200)).body.last_synced_at).toBeNull();
    });

    it('imports nothing twice when run again (force re-reads the engagement history)', async () => {
      const before = await counts();
      expect(before).toEqual({ leads: 3, accounts: 2, deals: 2, events: 4 });
      const { run } = await backfill({ include_engagement_history: true, force: true });
      expect(run.status).toBe('completed');
      expect(run.counts).toMatchObject({ leads_created: 0, contacts: 3, engagements_duplicate: 4 });
      expect(await counts()).toEqual(before);
      // without force, engagement history already imported is not asked for again
      const again = await as().post('/settings/ou/hubspot/backfill', { include_contacts: false, include_engagement_history: true }).expect(202);
      expect(again.body).toEqual({ status: 'queued', message: 'Nothing to import', queued: [] });
    });

    it('resumes a restarted run at the HubSpot page it had committed', async () => {
      // a run that had committed its pipelines, companies and the first contacts page before its worker stopped
      await ds.query(
        `INSERT INTO hubspot_sync_runs (id, org_id, unit_id, kind, status, phases, phase, cursor, counts, created_at, started_at)
         VALUES ('hsrun_resumed', $1, $2, 'backfill', 'running', ARRAY['pipelines', 'companies', 'contacts', 'deals'], 'contacts', '2',
                 '{"pipelines": 1, "companies": 2, "contacts": 2}'::jsonb, now(), now())`,
        [a.orgId, a.unitId],
      );
      const callsBefore = hs.calls.length;
      await t.app
        .get<Queue>(getQueueToken(QueueName.HubSpotSync))
        .add(RUN_HUBSPOT_SYNC, { run_id: 'hsrun_resumed', unit_id: a.unitId }, { jobId: 'hsrun_resumed' });
      const run = await eventually(async () => {
        const [r] = await ds.query(`SELECT * FROM hubspot_sync_runs WHERE id = 'hsrun_resumed'`);
        return ['completed', 'failed'].includes(r.status) ? r : null;
      }, 30000);
      expect(run.status).toBe('completed');
      const asked = hs.calls.slice(callsBefore).map((c) => `${c.path.replace('/crm/v3/objects/', '')}@${c.query.after ?? 0}`);
      // neither the pipelines nor the companies nor the first contacts page again
      expect(asked).toEqual(['contacts@2', 'deals@0']);
      expect(run.counts).toMatchObject({ pipelines: 1, companies: 2, contacts: 3, contacts_skipped: 1, deals: 2 });
    });

    it('runs one sync of an OU at a time: a run waits while another worker holds the OU', async () => {
      // another worker's run of OU A holds the OU's sync lock
      const other = ds.createQueryRunner();
      await other.connect();
      await other.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [hubSpotSyncLock(a.unitId)]);
      try {
        await ds.query(
          `INSERT INTO hubspot_sync_runs (id, org_id, unit_id, kind, phases, created_at) VALUES ('hsrun_waits', $1, $2, 'backfill', ARRAY['pipelines'], now())`,
          [a.orgId, a.unitId],
        );
        const callsBefore = hs.calls.length;
        await t.app
          .get<Queue>(getQueueToken(QueueName.HubSpotSync))
          .add(RUN_HUBSPOT_SYNC, { run_id: 'hsrun_waits', unit_id: a.unitId }, { jobId: 'hsrun_waits', attempts: 5 });
        await new Promise((r) => setTimeout(r, 2500));
        const [waiting] = await ds.query(`SELECT status FROM hubspot_sync_runs WHERE id = 'hsrun_waits'`);
        expect(waiting.status).toBe('queued');
        expect(hs.calls.length).toBe(callsBefore);
      } finally {
        await other.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [hubSpotSyncLock(a.unitId)]);
        await other.release();
      }
      const run = await eventually(async () => {
        const [r] = await ds.query(`SELECT * FROM hubspot_sync_runs WHERE id = 'hsrun_waits'`);
        return ['completed', 'failed'].includes(r.status) ? r : null;
      }, 30000);
      expect(run).toMatchObject({ status: 'completed', counts: { pipelines: 1 } });
    });

    it('no body imports contacts only; a chosen engagement type list overrides the preferences', async () => {
      const emailsBefore = hs.calls.filter((c) => c.path === '/crm/v3/objects/emails').length;
      const { res } = await backfill();
      expect(res.body.queued).toEqual(['contacts', 'companies', 'deals']);
      expect(hs.calls.filter((c) => c.path === '/crm/v3/objects/emails')).toHaveLength(emailsBefore);

      const { res: notes, run } = await backfill({ include_contacts: false, include_engagement_history: true, engagement_types: ['notes'], force: true });
      expect(notes.body.queued).toEqual(['engagements:notes']);
      expect(run.counts).toMatchObject({ notes: 1 });
      const note = await eventually(async () => {
        const [row] = await ds.query(
          `SELECT e.occurred_at FROM lead_events e JOIN lead_aliases a ON a.lead_ref = e.lead_ref WHERE a.value = 'cara@acme.example' AND e.event_type = 'hubspot_note'`,
        );
        return row;
      });
      expect(note.occurred_at).toEqual(new Date('2026-10-06T10:00:00.000Z'));
    });
  });

  describe('incremental sync (hubspot.sync)', () => {
    it('takes only what changed since the last sync, firing triggers for new activity', async () => {
      const [{ last_sync_at }] = await ds.query(`SELECT last_sync_at FROM hubspot_connections WHERE unit_id = $1`, [a.unitId]);
      const later = new Date(new Date(last_sync_at).getTime() + 60_000).toISOString();
      data.objects.contacts.push(contact('105', 'dan@delta.example', { jobtitle: 'CFO' }));
      data.objects.contacts[4].updatedAt = later;
      data.objects.emails.push({ id: '404', properties: { hs_timestamp: later }, associations: { contacts: ['105'] }, updatedAt: later });
      const before = await counts();
      const res = await request(t.http).post('/admin/scheduled-jobs/hubspot.sync/run').set(OPS.header, OPS.value).expect(200);
      expect(res.body.result).toEqual({ units_queued: 1 });
      const run = await eventually(async () => {
        const [r] = await ds.query(`SELECT * FROM hubspot_sync_runs WHERE unit_id = $1 AND kind = 'incremental'`, [a.unitId]);
        return r && ['completed', 'failed'].includes(r.status) ? r : null;
      }, 30000);
      expect(run.status).toBe('completed');
      expect(run.counts).toMatchObject({ contacts: 1, leads_created: 1, emails: 1 });
      // the new engagement becomes an event through the ingest queue: wait for it rather than for two equal reads
      const expected = { ...before, leads: before.leads + 1, events: before.events + 1 };
      expect(await countsReaching(expected)).toEqual(expected);
      const [event] = await ds.query(`SELECT skip_triggers FROM lead_events WHERE unit_id = $1 AND metadata->>'hubspot_engagement_id' = '404'`, [a.unitId]);
      expect(event.skip_triggers).toBe(false);
    });

    it('removes the deals archived (deleted) in HubSpot since the last sync, in this OU only, and takes a restored one back', async () => {
      const deals = async (unitId: string) =>
        (await ds.query(`SELECT external_id FROM deals WHERE unit_id = $1 AND source = 'hubspot' ORDER BY external_id`, [unitId])).map(
          (r: { external_id: string }) => r.external_id,
        );
      const sync = async () => {
        await ds.query(`DELETE FROM hubspot_sync_runs WHERE unit_id = $1 AND kind = 'incremental'`, [a.unitId]);
        await request(t.http).post('/admin/scheduled-jobs/hubspot.sync/run').set(OPS.header, OPS.value).expect(200);
        return eventually(async () => {
          const [r] = await ds.query(`SELECT * FROM hubspot_sync_runs WHERE unit_id = $1 AND kind = 'incremental'`, [a.unitId]);
          return r && ['completed', 'failed'].includes(r.status) ? r : null;
        }, 30000);
      };
      expect(await deals(a.unitId)).toEqual(['301', '302']);
      // another OU's deal with the same HubSpot id (its own portal) is not this OU's to remove
      await ds.query(
        `INSERT INTO deals (id, org_id, unit_id, external_id, source, name, stage, amount, properties, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, '302', 'hubspot', 'Other portal', 'appointmentscheduled', 10, '{}'::jsonb, now(), now())`,
        [b.orgId, b.unitId],
      );
      const [{ last_sync_at }] = await ds.query(`SELECT last_sync_at FROM hubspot_connections WHERE unit_id = $1`, [a.unitId]);
      const pilot = data.objects.deals.find((d) => d.id === '302')!;
      // deleted in HubSpot after the last sync
      pilot.archivedAt = new Date(new Date(last_sync_at).getTime() + 60_000).toISOString();

      const run = await sync();
      expect(run.status).toBe('completed');
      expect(run.counts).toMatchObject({ deals_removed: 1 });
      expect(run.phases).toContain('deals_archived');
      const archivedCall = hs.calls.filter((c) => c.path === '/crm/v3/objects/deals' && c.query.archived === 'true');
      expect(archivedCall.length).toBeGreaterThan(0);
      expect(await deals(a.unitId)).toEqual(['301']);
      expect(await deals(b.unitId)).toEqual(['302']);

      // restored in HubSpot: listed live again with a new modification time, so the next sync brings it back
      const [{ last_sync_at: synced }] = await ds.query(`SELECT last_sync_at FROM hubspot_connections WHERE unit_id = $1`, [a.unitId]);
      delete pilot.archivedAt;
      pilot.updatedAt = new Date(new Date(synced).getTime() + 60_000).toISOString();
      const again = await sync();
      expect(again.status).toBe('completed');
      expect(again.counts).toMatchObject({ deals: 1 });
      expect(again.counts.deals_removed ?? 0).toBe(0);
      expect(await deals(a.unitId)).toEqual(['301', '302']);
    });
  });

  describe('revoked access and clearing credentials (HS-5)', () => {
    it('marks the connection broken when HubSpot revokes the token, instead of failing silently', async () => {
      // the access token no longer works and the refresh is refused
      hs.revoke();
      await ds.query(`UPDATE hubspot_connections SET token_expires_at = now() - interval '1 minute' WHERE unit_id = $1`, [a.unitId]);
      const { run } = await backfill();
      expect(run.status).toBe('failed');
      expect(run.failure_reason).toMatch(/invalid_grant/);
      const status = (await as().get('/settings/ou/hubspot').expect(200)).body;
      expect(status).toMatchObject({ connected: false, status: 'broken' });
      expect(status.last_error).toMatch(/re-connect HubSpot/);
      // no further import starts on a broken connection
      expect((await as().post('/settings/ou/hubspot/backfill').expect(404)).body.error).toBe('hubspot_connection_not_found');
      // re-connecting repairs it
      await connect();
      expect((await as().get('/settings/ou/hubspot').expect(200)).body).toMatchObject({ connected: true, status: 'connected', last_error: null });
    });

    it('clears the credentials and the tokens but keeps the synced data', async () => {
      const before = await counts();
      await api(t, viewer).delete('/settings/ou/hubspot/credentials').expect(403);
      // no shared app is configured here, so the OU is unconfigured afterwards (the status says the same)
      expect((await as().delete('/settings/ou/hubspot/credentials').expect(200)).body).toEqual({ status: 'cleared', app_mode: 'unconfigured' });
      const [row] = await ds.query(`SELECT * FROM hubspot_connections WHERE unit_id = $1`, [a.unitId]);
      expect(row).toMatchObject({ client_id: null, client_secret_enc: null, access_token_enc: null, refresh_token_enc: null, status: 'disconnected' });
      expect((await as().get('/settings/ou/hubspot').expect(200)).body).toMatchObject({ connected: false, app_mode: 'unconfigured', has_credentials: false });
      expect(await counts()).toEqual(before);
      expect((await ds.query(`SELECT count(*)::int AS n FROM deal_pipelines WHERE unit_id = $1`, [a.unitId]))[0].n).toBe(1);
      await as().post('/settings/ou/hubspot/oauth/initiate').expect(412);
    });
  });
});
