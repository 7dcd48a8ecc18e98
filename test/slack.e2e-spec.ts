import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeliveryDestination, DeliveryOutbox } from '../src/modules/notifications';
import { OwnerNotifier } from '../src/modules/slack';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { MetricsService } from '../src/platform/metrics';
import { emailAliases, ingestAndWait } from './support/ingest';
import { activateOu, api, Auth, memberWithRole, ServiceAccount, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { BOT_TOKEN, CLIENT_SECRET, fakeSlack } from './support/fake-slack';

describe('Slack', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: ServiceAccount;
  let viewer: Auth;
  let operator: Auth;
  let ds: DataSource;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  const as = () => api(t, a.admin);

  beforeAll(async () => {
    slack = await fakeSlack();
    ({ t, a, b, sa } = await startScenario({
      rival: 'Slack Rivals',
      serviceAccount: 'pipeline',
      env: {
        SLACK_API_BASE_URL: `${slack.base}/api`,
        SLACK_AUTHORIZE_URL: `${slack.base}/oauth/v2/authorize`,
        KENBUN_PUBLIC_URL: 'https://kenbun.example',
        KENBUN_APP_URL: 'https://app.kenbun.example',
      },
    }));
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@slack.example', 'Viewer')).auth;
    operator = (await memberWithRole(t, a, 'operator@slack.example', 'Operator')).auth;
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => slack.server.close(r));
  });

  /** Starts an install for A's OU and answers the state Slack would hand back. */
  const newState = async (auth: Auth = a.admin) => {
    const res = await api(t, auth).post('/settings/ou/slack/install').expect(200);
    return new URL(res.body.authorize_url).searchParams.get('state')!;
  };
  const callback = (query: string) => api(t).get(`/slack/oauth/callback?${query}`);

  /** Writes one notification through the outbox in its own transaction, as a firing does. */
  const notify = async (destinations: DeliveryDestination[]) => {
    const ids = await ds.transaction((m) =>
      t.app.get(DeliveryOutbox).enqueue(m, {
        org_id: a.orgId,
        unit_id: a.unitId,
        trigger_type: 'surge',
        trigger_id: 'srg_slack',
        source_id: randomUUID(),
        lead_id: 'ld_slack',
        destinations,
        message: { title: 'Hot lead', why: 'Why: 3 demo requests in 10 min', body: { type: 'surge', lead: { id: 'ld_slack' } } },
        at: t.clock.now(),
      }),
    );
    return ids;
  };
  const delivery = (id: string) => ds.query(`SELECT * FROM notification_deliveries WHERE id = $1`, [id]).then((r) => r[0]);
  const settled = (id: string) => eventually(async () => ((await delivery(id))?.status !== 'pending' ? delivery(id) : null));

  describe('app configuration (SL-1)', () => {
    it('is set by an org admin, stores the secret sealed, and answers {configured}', async () => {
      expect((await as().get('/settings/slack').expect(200)).body).toEqual({ configured: false });
      await api(t, operator).put('/settings/slack', { client_id: '111.222', client_secret: CLIENT_SECRET }).expect(403);
      const bad = await as().put('/settings/slack', { client_id: '111.222' }).expect(400);
      expect(bad.body.details[0].field).toBe('client_secret');
      expect((await ds.query(`SELECT count(*)::int AS n FROM slack_apps`))[0].n).toBe(0);

      expect((await as().put('/settings/slack', { client_id: '111.222', client_secret: CLIENT_SECRET }).expect(200)).body).toEqual({ configured: true });
      expect((await as().get('/settings/slack').expect(200)).body).toEqual({ configured: true });
      const [row] = await ds.query(`SELECT * FROM slack_apps WHERE org_id = $1`, [a.orgId]);
      expect(row.client_id).toBe('111.222');
      expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
      // another organization has its own (none)
      expect((await api(t, b.admin).get('/settings/slack').expect(200)).body).toEqual({ configured: false });
      await api(t).get('/settings/slack').expect(401);
    });
  });

  describe('install and OAuth callback (SL-2)', () => {
    it('refuses to install without the organization’s app (409) and answers a not-connected status', async () => {
      const res = await api(t, b.admin).post('/settings/ou/slack/install').expect(409);
      expect(res.body.error).toBe('slack_app_not_configured');
      expect((await api(t, b.admin).get('/settings/ou/slack').expect(200)).body).toEqual({
        connected: false,
        team_name: null,
        team_id: null,
        bot_user_id: null,
        updated_at: null,
        default_target_kind: null,
        default_target_id: null,
        authorize_url: null,
      });
    });

    it('hands out an authorize URL with a single-use state, exchanges the code and stores the bot token sealed', async () => {
      const res = await as().post('/settings/ou/slack/install').expect(200);
      expect(res.body).toEqual({ authorize_url: expect.any(String), url: res.body.authorize_url });
      const url = new URL(res.body.authorize_url);
      expect(`${url.origin}${url.pathname}`).toBe(`${slack.base}/oauth/v2/authorize`);
      expect(url.searchParams.get('client_id')).toBe('111.222');
      expect(url.searchParams.get('redirect_uri')).toBe('https://kenbun.example/slack/oauth/callback');
      expect(url.searchParams.get('scope')).toContain('chat:write');
      const state = url.searchParams.get('state')!;
      expect(state).toMatch(/^[\w-]{40,}$/);

      // the browser variant redirects to the same kind of URL with a state of its own
      const redirect = await as().get('/settings/ou/slack/install').expect(302);
      const other = new URL(redirect.headers.location);
      expect(other.searchParams.get('client_id')).toBe('111.222');
      expect(other.searchParams.get('state')).not.toBe(state);

      const done = await callback(`code=good-code&state=${encodeURIComponent(state)}`).expect(302);
      expect(done.headers.location).toBe('https://app.kenbun.example/settings/integrations');
      expect(slack.of('oauth.v2.access')).toEqual([
        {
          method: 'oauth.v2.access',
          authorization: undefined,
          form: { client_id: '111.222', client_secret: CLIENT_SECRET, code: 'good-code', redirect_uri: 'https://kenbun.example/slack/oauth/callback' },
        },
      ]);
      // single use: the same state again is refused and Slack is not asked again
      const again = await callback(`code=good-code&state=${encodeURIComponent(state)}`).expect(400);
      expect(again.body.error).toBe('slack_oauth_state_invalid');
      expect(slack.of('oauth.v2.access')).toHaveLength(1);

      const status = (await as().get('/settings/ou/slack').expect(200)).body;
      expect(status).toEqual({
        connected: true,
        team_name: 'Acme Workspace',
        team_id: 'T0TEAM001',
        bot_user_id: 'U0BOT0001',
        updated_at: expect.any(String),
        default_target_kind: null,
        default_target_id: null,
        authorize_url: 'https://kenbun.example/settings/ou/slack/install',
      });
      const [row] = await ds.query(`SELECT * FROM slack_connections WHERE unit_id = $1`, [a.unitId]);
      expect(row.bot_token_enc).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(BOT_TOKEN);
      expect(JSON.stringify(await ds.query(`SELECT * FROM slack_oauth_states`))).not.toContain(state);
      // B's OU stays unconnected
      expect((await api(t, b.admin).get('/settings/ou/slack').expect(200)).body.connected).toBe(false);

      // the install is audited as the member who started it; no secret in the audit log
      await t.app.get(AuditWriter).flush();
      const audit = (await as().get('/audit-logs?limit=100').expect(200)).body.items;
      const connected = audit.find((i: { path: string; status: number }) => i.path === '/slack/oauth/callback' && i.status === 302);
      expect(connected).toMatchObject({ entity_type: 'slack_connection', entity_id: a.unitId });
      expect(connected.summary).toContain("connected the Slack workspace 'Acme Workspace'");
      expect(JSON.stringify(audit)).not.toContain(BOT_TOKEN);
      expect(JSON.stringify(audit)).not.toContain(CLIENT_SECRET);
    });

    it('refuses unknown, expired and missing states, and a code Slack refuses, with 400', async () => {
      expect((await callback('code=good-code&state=not-a-state').expect(400)).body.error).toBe('slack_oauth_state_invalid');
      const missing = await callback('code=good-code').expect(400);
      expect(missing.body.details[0].field).toBe('state');

      const expiring = await newState();
      t.clock.advance(11 * 60 * 1000);
      try {
        expect((await callback(`code=good-code&state=${expiring}`).expect(400)).body.error).toBe('slack_oauth_state_invalid');
      } finally {
        t.clock.advance(-11 * 60 * 1000);
      }

      const refused = await newState();
      const res = await callback(`code=bad-code&state=${refused}`).expect(400);
      expect(res.body).toMatchObject({ error: 'slack_oauth_failed', details: [{ field: 'code', reason: 'invalid_code' }] });
      // a cancelled install goes back to the app saying so (the state is spent)
      const cancelled = await newState();
      expect((await callback(`error=access_denied&state=${cancelled}`).expect(302)).headers.location).toBe(
        'https://app.kenbun.example/settings/integrations?slack_error=access_denied',
      );
      expect((await as().get('/settings/ou/slack').expect(200)).body.team_id).toBe('T0TEAM001');
    });

    it('lets neither a Viewer nor an anonymous caller start an install', async () => {
      await api(t, viewer).post('/settings/ou/slack/install').expect(403);
      await api(t, viewer).get('/settings/ou/slack/install').expect(403);
      await api(t).post('/settings/ou/slack/install').expect(401);
      await api(t).get('/settings/ou/slack').expect(401);
    });
  });

  describe('channels, users, default target, test message, publish opt-in (SL-3..5)', () => {
    it('proxies conversations.list and users.list with the bot token and Slack’s cursor', async () => {
      const channels = (await api(t, viewer).get('/settings/ou/slack/channels?types=public_channel&limit=2').expect(200)).body;
      expect(channels).toEqual({
        ok: true,
        channels: [
          { id: 'C0SALES01', name: 'sales', is_private: false },
          { id: 'G0PRIV001', name: 'leadership', is_private: true },
        ],
        response_metadata: { next_cursor: 'dGVhbTpDMDYx' },
      });
      await as().get('/settings/ou/slack/channels?cursor=dGVhbTpDMDYx').expect(200);
      const [first, second] = slack.of('conversations.list');
      expect(first.authorization).toBe(`Bearer ${BOT_TOKEN}`);
      expect(first.form).toEqual({ types: 'public_channel', limit: '2', exclude_archived: 'true' });
      expect(second.form).toMatchObject({ types: 'public_channel,private_channel', cursor: 'dGVhbTpDMDYx' });
      expect((await as().get('/settings/ou/slack/channels?types=everything').expect(400)).body.details[0].field).toBe('types');
      expect((await as().get('/settings/ou/slack/channels?limit=0').expect(400)).body.details[0].field).toBe('limit');

      const users = (await as().get('/settings/ou/slack/users?cursor=cGFnZTI%3D').expect(200)).body;
      expect(users).toEqual({
        ok: true,
        members: [{ id: 'U0LATE001', name: 'late', profile: { email: 'late@nowhere.example' } }],
        response_metadata: { next_cursor: '' },
      });
      // another organization's OU is not connected: 404, and Slack is not called for it
      const calls = slack.calls.length;
      expect((await api(t, b.admin).get('/settings/ou/slack/channels').expect(404)).body.error).toBe('slack_connection_not_found');
      await api(t, b.admin).get('/settings/ou/slack/users').expect(404);
      expect(slack.calls).toHaveLength(calls);
    });

    it('sets the default target, validating kind and id', async () => {
      const status = (await api(t, operator).put('/settings/ou/slack/default-target', { kind: 'channel', id: 'C0SALES01' }).expect(200)).body;
      expect(status).toMatchObject({ connected: true, default_target_kind: 'channel', default_target_id: 'C0SALES01' });
      expect((await as().put('/settings/ou/slack/default-target', { kind: 'user', id: 'C0SALES01' }).expect(400)).body.details[0].field).toBe('id');
      expect((await as().put('/settings/ou/slack/default-target', { kind: 'group', id: 'C0SALES01' }).expect(400)).body.details[0].field).toBe('kind');
      expect((await as().put('/settings/ou/slack/default-target', { kind: 'channel', id: '#sales' }).expect(400)).body.details[0].field).toBe('id');
      await api(t, viewer).put('/settings/ou/slack/default-target', { kind: 'channel', id: 'C0OTHER01' }).expect(403);
      await api(t, b.admin).put('/settings/ou/slack/default-target', { kind: 'channel', id: 'C0OTHER01' }).expect(404);
      expect((await as().get('/settings/ou/slack').expect(200)).body).toMatchObject({ default_target_kind: 'channel', default_target_id: 'C0SALES01' });
    });

    it('sends a test message to a channel, and to a user through a DM it opens', async () => {
      expect((await as().post('/settings/ou/slack/test', { kind: 'channel', id: 'C0SALES01', text: 'hello from the test' }).expect(200)).body).toEqual({
        message: 'Test message sent to channel C0SALES01',
      });
      expect(slack.of('chat.postMessage').at(-1)!.form).toMatchObject({ channel: 'C0SALES01', text: 'hello from the test' });
      await as().post('/settings/ou/slack/test', { kind: 'user', id: 'U0ADMIN01' }).expect(200);
      expect(slack.of('conversations.open').at(-1)!.form).toEqual({ users: 'U0ADMIN01' });
      expect(slack.of('chat.postMessage').at(-1)!.form).toMatchObject({ channel: 'D0U0ADMIN01', text: expect.stringContaining('Test message from kenbun') });

      const refused = await as().post('/settings/ou/slack/test', { kind: 'channel', id: 'C0NOTFOUND' }).expect(400);
      expect(refused.body).toMatchObject({ error: 'slack_rejected', details: [{ field: 'slack', reason: 'channel_not_found' }] });
      const posts = slack.of('chat.postMessage').length;
      await api(t, viewer).post('/settings/ou/slack/test', { kind: 'channel', id: 'C0SALES01' }).expect(403);
      expect((await as().post('/settings/ou/slack/test', { kind: 'channel' }).expect(400)).body.details[0].field).toBe('id');
      await api(t, b.admin).post('/settings/ou/slack/test', { kind: 'channel', id: 'C0SALES01' }).expect(404);
      expect(slack.of('chat.postMessage')).toHaveLength(posts);
    });

    it('keeps the publish opt-in per OU: false by default and when not connected, 404 to set without a connection', async () => {
      expect((await as().get('/settings/ou/slack/publish-notifications').expect(200)).body).toEqual({ enabled: false });
      expect((await as().put('/settings/ou/slack/publish-notifications', { enabled: true }).expect(200)).body).toEqual({ enabled: true });
      expect((await api(t, viewer).get('/settings/ou/slack/publish-notifications').expect(200)).body).toEqual({ enabled: true });
      await api(t, viewer).put('/settings/ou/slack/publish-notifications', { enabled: false }).expect(403);
      expect((await as().put('/settings/ou/slack/publish-notifications', { enabled: 'yes' }).expect(400)).body.details[0].field).toBe('enabled');
      expect((await api(t, b.admin).get('/settings/ou/slack/publish-notifications').expect(200)).body).toEqual({ enabled: false });
      expect((await api(t, b.admin).put('/settings/ou/slack/publish-notifications', { enabled: true }).expect(404)).body.error).toBe(
        'slack_connection_not_found',
      );
    });
  });

  describe('deliveries through the outbox', () => {
    const latencyCount = async () =>
      (await t.app.get(MetricsService).eventToSlackLatency.get()).values.find((v) => v.metricName === 'event_to_slack_latency_seconds_count')?.value ?? 0;

    it('delivers a slack notification channel’s row with chat.postMessage and observes event_to_slack_latency_seconds', async () => {
      const channel = (
        await as()
          .post('/notification-channels', { name: 'Sales Slack', type: 'slack', config: { channel_id: 'C0SALES01', channel_name: '#sales' } })
          .expect(201)
      ).body;
      const before = await latencyCount();
      const [id] = await notify([{ kind: 'channel', channelId: channel.id }]);
      expect(await settled(id)).toMatchObject({ status: 'delivered', attempts: 1, http_status: 200, last_error: null, kind: 'slack' });
      const post = slack.of('chat.postMessage').at(-1)!;
      expect(post.authorization).toBe(`Bearer ${BOT_TOKEN}`);
      expect(post.form).toMatchObject({ channel: 'C0SALES01', text: '*Hot lead*\nWhy: 3 demo requests in 10 min' });
      expect(await latencyCount()).toBe(before + 1);
    });

    it('posts a live surge firing to the surge trigger’s Slack target', async () => {
      const trigger = (
        await as()
          .post('/surge-triggers', {
            event_type: 'Demo Request',
            window_seconds: 600,
            threshold_count: 2,
            slack_target_kind: 'channel',
            slack_target_id: 'C0SURGE01',
          })
          .expect(201)
      ).body;
      const now = t.clock.now().getTime();
      for (const s of [-20, -10]) {
        await ingestAndWait(t, sa.auth, {
          ...emailAliases('surging@example.com'),
          event_type: 'Demo Request',
          timestamp: new Date(now + s * 1000).toISOString(),
        });
      }
      const post = await eventually(async () => slack.of('chat.postMessage').find((c) => c.form.channel === 'C0SURGE01'));
      expect(post.authorization).toBe(`Bearer ${BOT_TOKEN}`);
      expect(post.form.text).toMatch(/^\*.+ — lead .+\*\nSurging: 2 Demo Request events in 600 s$/);
      // the fake answers after recording the post: the row is marked delivered just after
      const row = await eventually(async () => {
        const [r] = await ds.query(`SELECT status, kind, target FROM notification_deliveries WHERE trigger_id = $1`, [trigger.trigger_id]);
        return r?.status !== 'pending' ? r : null;
      });
      expect(row).toEqual({ status: 'delivered', kind: 'slack', target: { channel_id: 'C0SURGE01' } });
      await as().delete(`/surge-triggers/${trigger.trigger_id}`).expect(204);
    });

    it('ends channel_not_found as terminal_4xx after one attempt, and retries ratelimited', async () => {
      const [lost] = await notify([{ kind: 'slack', target: 'channel', id: 'C0NOTFOUND' }]);
      const row = await settled(lost);
      expect(row).toMatchObject({ status: 'terminal_4xx', attempts: 1 });
      expect(row.last_error).toBe('Slack: channel_not_found');

      const [limited] = await notify([{ kind: 'slack', target: 'channel', id: 'C0RATELIM' }]);
      expect(await settled(limited)).toMatchObject({ status: 'delivered', attempts: 2, http_status: 200 });
      const attempts = await ds.query(`SELECT status, http_status, error FROM notification_attempts WHERE delivery_id = $1 ORDER BY attempted_at`, [limited]);
      expect(attempts).toEqual([
        { status: 'failed', http_status: 429, error: 'Slack: ratelimited' },
        { status: 'delivered', http_status: 200, error: null },
      ]);
    });
  });

  describe('identity sync (SL-6) and owner DMs (OWN-1..5)', () => {
    it('maps unmapped members by e-mail, skipping mapped ones; admins only', async () => {
      expect((await api(t, viewer).get('/integrations/slack/identity-status').expect(200)).body).toEqual({ total: 3, mapped: 0 });
      await api(t, operator).post('/integrations/slack/sync-identities').expect(403);
      await api(t).post('/integrations/slack/sync-identities').expect(401);
      expect((await as().post('/integrations/slack/sync-identities').expect(200)).body).toEqual({ members_total: 3, matched: 1, no_match: 2, errors: 0 });
      // both pages were read; bots and deleted users are not matched
      expect(
        slack
          .of('users.list')
          .slice(-2)
          .map((c) => c.form.cursor ?? null),
      ).toEqual([null, 'cGFnZTI=']);
      expect((await as().get('/integrations/slack/identity-status').expect(200)).body).toEqual({ total: 3, mapped: 1 });
      const [admin] = await ds.query(`SELECT slack_user_id FROM org_members WHERE id = $1`, [a.adminMemberId]);
      expect(admin.slack_user_id).toBe('U0ADMIN01');
      expect((await as().post('/integrations/slack/sync-identities').expect(200)).body).toEqual({ members_total: 3, matched: 0, no_match: 2, errors: 0 });
      // another organization: its own members, and no connection to sync with
      expect((await api(t, b.admin).get('/integrations/slack/identity-status').expect(200)).body).toEqual({ total: 1, mapped: 0 });
      await api(t, b.admin).post('/integrations/slack/sync-identities').expect(404);
    });

    it('DMs the lead’s owner unless they muted the event type or turned notifications off', async () => {
      await as().post('/leads', { id: 'ld_owned' }).expect(201);
      await as().post('/leads/ld_owned/owner', { owner_id: a.adminMemberId, owner_name: 'Admin' }).expect(200);
      const leadRef = (await eventually(async () => (await ds.query(`SELECT id FROM leads WHERE lead_id = 'ld_owned' AND unit_id = $1`, [a.unitId]))[0]))
        .id as string;
      const dm = () =>
        ds.transaction((m) =>
          t.app.get(OwnerNotifier).notifyOwner(m, {
            org_id: a.orgId,
            unit_id: a.unitId,
            trigger_type: 'surge',
            trigger_id: 'srg_owner',
            source_id: randomUUID(),
            lead_ref: leadRef,
            event_type: 'surge_detected',
            message: { title: 'Your lead surges', why: 'Why: 5 visits', body: {} },
            at: t.clock.now(),
          }),
        );
      const sent = await dm();
      expect(sent).toMatchObject({ queued: true, slack_user_id: 'U0ADMIN01' });
      expect(await settled((sent as { delivery_id: string }).delivery_id)).toMatchObject({ status: 'delivered', kind: 'slack' });
      expect(slack.of('chat.postMessage').at(-1)!.form).toMatchObject({ channel: 'D0U0ADMIN01', text: '*Your lead surges*\nWhy: 5 visits' });

      await as()
        .put('/me/notification-prefs', { prefs: [{ event_type: 'surge_detected', muted: true }] })
        .expect(200);
      expect(await dm()).toEqual({ queued: false, reason: 'event_type_muted' });
      await as()
        .put('/me/notification-prefs', { notifications_enabled: false, prefs: [{ event_type: 'surge_detected', muted: false }] })
        .expect(200);
      expect(await dm()).toEqual({ queued: false, reason: 'notifications_disabled' });
      await as().put('/me/notification-prefs', { notifications_enabled: true }).expect(200);
      expect((await dm()).queued).toBe(true);

      // OWN-4: a member without a Slack id cannot be DMed; an owner who is not a member neither
      await as().post('/leads/ld_owned/owner', { owner_id: 'operator@slack.example', owner_name: 'Operator' }).expect(200);
      expect(await dm()).toEqual({ queued: false, reason: 'owner_not_mapped' });
      await as().post('/leads/ld_owned/owner', { owner_id: 'someone-else', owner_name: 'Else' }).expect(200);
      expect(await dm()).toEqual({ queued: false, reason: 'owner_not_a_member' });
      await as().post('/leads/ld_owned/owner', { owner_id: null, owner_name: null }).expect(200);
      expect(await dm()).toEqual({ queued: false, reason: 'no_owner' });
    });
  });

  describe('disconnect (SL-2)', () => {
    it('refuses a Viewer, deletes the connection and its token, and later Slack deliveries fail as not connected', async () => {
      await api(t, viewer).delete('/settings/ou/slack').expect(403);
      await api(t, b.admin).delete('/settings/ou/slack').expect(404);
      await api(t).delete('/settings/ou/slack').expect(401);
      expect((await as().get('/settings/ou/slack').expect(200)).body.connected).toBe(true);
      await as().delete('/settings/ou/slack').expect(204);
      expect(await ds.query(`SELECT * FROM slack_connections WHERE unit_id = $1`, [a.unitId])).toEqual([]);
      expect((await as().get('/settings/ou/slack').expect(200)).body).toMatchObject({ connected: false, default_target_id: null });
      expect((await as().get('/settings/ou/slack/publish-notifications').expect(200)).body).toEqual({ enabled: false });
      await as().get('/settings/ou/slack/channels').expect(404);
      await as().delete('/settings/ou/slack').expect(404);

      const [id] = await notify([{ kind: 'slack', target: 'channel', id: 'C0SALES01' }]);
      expect(await settled(id)).toMatchObject({ status: 'terminal_4xx', attempts: 1, last_error: 'Slack is not connected for this organizational unit' });
    });
  });
});
