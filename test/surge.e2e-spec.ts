import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LeadEvent, LeadEventRecordedPayload } from '../src/modules/leads';
import { canonicalEventType } from '../src/modules/scoring/domain/event-type';
import { EventStore } from '../src/platform/event-store/event-store.service';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { activateOu, api, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** A local HTTP endpoint: /ok… answers 204, /fail… answers 500; every request is recorded. */
async function fakeReceiver(): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: data ? JSON.parse(data) : null });
      res.statusCode = req.url?.startsWith('/fail') ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('Surge triggers', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let as: ReturnType<typeof api>;
  let ds: DataSource;
  let hook: Awaited<ReturnType<typeof fakeReceiver>>;

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ rival: 'Surge Spies' }));
    ds = t.app.get(DataSource);
    as = api(t, a.admin);
    await activateOu(t, a.admin, a.unitId);
    hook = await fakeReceiver();
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => hook.server.close(r));
  });

  describe('configuration', () => {
    it('creates with a deprecated webhook_url (warning, masked auth header), lists, updates partially (204) and deletes', async () => {
      const created = await as
        .post('/surge-triggers', {
          event_type: 'Page View',
          window_seconds: 7200,
          window_unit: 'hours',
          threshold_count: 5,
          webhook_url: `${hook.base}/ok`,
          webhook_auth_header: 'Bearer very-secret-token',
          emails: ['Sales@Example.com'],
        })
        .expect(201);
      expect(created.body).toMatchObject({
        trigger_id: expect.stringMatching(/^srg_/),
        name: 'Surge: 5+ Page View within 7200 s',
        event_type: 'Page View',
        window_seconds: 7200,
        window_unit: 'hours',
        threshold_count: 5,
        active: true,
        notification_channel_id: null,
        webhook_url: `${hook.base}/ok`,
        webhook_auth_header: 'Bea•••ken',
        emails: ['sales@example.com'],
        notify_owner: false,
        warnings: [expect.stringContaining('webhook_url is deprecated')],
        created_by: a.adminEmail,
      });
      expect(JSON.stringify(created.body)).not.toContain('very-secret');
      const [row] = await ds.query(`SELECT webhook_auth_header_enc FROM surge_triggers WHERE id = $1`, [created.body.trigger_id]);
      expect(row.webhook_auth_header_enc).not.toContain('very-secret');

      const id = created.body.trigger_id;
      const put = await as.put(`/surge-triggers/${id}`, { threshold_count: 7, name: 'Hot pricing' }).expect(204);
      expect(put.headers.warning).toContain('webhook_url is deprecated');
      const [listed] = (await as.get('/surge-triggers').expect(200)).body;
      expect(listed).toMatchObject({
        trigger_id: id,
        name: 'Hot pricing',
        threshold_count: 7,
        window_seconds: 7200,
        event_type: 'Page View',
        webhook_auth_header: 'Bea•••ken',
      });

      const cleared = await as.put(`/surge-triggers/${id}`, { webhook_url: null, webhook_auth_header: null }).expect(204);
      expect(cleared.headers.warning).toBeUndefined();
      expect((await as.get('/surge-triggers')).body[0]).toMatchObject({
        webhook_url: null,
        webhook_auth_header: null,
        warnings: [],
        emails: ['sales@example.com'],
      });

      await as.delete(`/surge-triggers/${id}`).expect(204);
      expect((await as.delete(`/surge-triggers/${id}`)).status).toBe(404);
      expect((await as.get('/surge-triggers')).body).toEqual([]);
      await t.app.get(AuditWriter).flush();
      const audit = await ds.query(`SELECT summary FROM audit_logs WHERE entity_type = 'surge_trigger' ORDER BY id`);
      expect(audit.map((r: { summary: string }) => r.summary)).toEqual(
        expect.arrayContaining([
          expect.stringContaining("created surge trigger 'Surge: 5+ Page View within 7200 s'"),
          expect.stringContaining("deleted surge trigger 'Hot pricing'"),
        ]),
      );
    });

    it('refuses bad bodies naming the field', async () => {
      const missing = await as.post('/surge-triggers', { event_type: 'x', active: false });
      expect(missing.status).toBe(400);
      expect(new Set(missing.body.details.map((d: { field: string }) => d.field))).toEqual(new Set(['window_seconds', 'threshold_count']));
      const field = async (body: object) =>
        (await as.post('/surge-triggers', { window_seconds: 60, threshold_count: 2, active: false, ...body })).body.details?.[0]?.field;
      expect(await field({ window_seconds: 0 })).toBe('window_seconds');
      expect(await field({ threshold_count: 0 })).toBe('threshold_count');
      expect(await field({ window_unit: 'weeks' })).toBe('window_unit');
      expect(await field({ emails: ['not-an-email'] })).toBe('emails');
      expect(await field({ slack_target_kind: 'group' })).toBe('slack_target_kind');
      expect(await field({ webhook_url: 'ftp://x' })).toBe('webhook_url');
      expect(await field({ notification_channel_id: 'nope' })).toBe('notification_channel_id');
      expect(await field({ unit_id: 'unit_x' })).toBe('unit_id');
    });

    it('needs a destination when active, accepts a draft without one, and rejects unknown notification channels', async () => {
      const noDest = await as.post('/surge-triggers', { window_seconds: 60, threshold_count: 2 });
      expect(noDest.status).toBe(400);
      expect(noDest.body).toMatchObject({ error: 'destination_required', details: [{ field: 'active' }] });
      const channel = await as.post('/surge-triggers', { window_seconds: 60, threshold_count: 2, notification_channel_id: randomUUID() });
      expect(channel.status).toBe(400);
      expect(channel.body).toMatchObject({ error: 'unknown_notification_channel', details: [{ field: 'notification_channel_id' }] });
      const draft = await as.post('/surge-triggers', { window_seconds: 60, threshold_count: 2, active: false }).expect(201);
      expect(draft.body).toMatchObject({ active: false, event_type: '', window_unit: 'seconds', warnings: [], emails: [] });
      const id = draft.body.trigger_id;
      expect((await as.put(`/surge-triggers/${id}`, { active: true })).body.error).toBe('destination_required');
      expect((await as.put(`/surge-triggers/${id}`, { window_seconds: null })).body.details[0].field).toBe('window_seconds');
      await as.put(`/surge-triggers/${id}`, { active: true, slack_target_id: 'C01ABCDEF' }).expect(204);
      expect((await as.get('/surge-triggers')).body.find((x: { trigger_id: string }) => x.trigger_id === id)).toMatchObject({
        active: true,
        slack_target_kind: 'channel',
        slack_target_id: 'C01ABCDEF',
      });
      await as.delete(`/surge-triggers/${id}`).expect(204);
    });

    it('needs a credential and hides triggers from other OUs (404)', async () => {
      const id = (await as.post('/surge-triggers', { window_seconds: 60, threshold_count: 2, active: false }).expect(201)).body.trigger_id;
      expect((await api(t).get('/surge-triggers')).status).toBe(401);
      expect((await api(t).get('/surge-events')).status).toBe(401);
      const intruder = api(t, b.admin);
      expect((await intruder.put(`/surge-triggers/${id}`, { threshold_count: 1 })).status).toBe(404);
      expect((await intruder.post(`/surge-triggers/${id}/preview`, {})).status).toBe(404);
      expect((await intruder.post(`/surge-triggers/${id}/simulate`, { lead_id: 'x' })).status).toBe(404);
      expect((await intruder.get(`/surge-triggers/${id}/health`)).status).toBe(404);
      expect((await intruder.delete(`/surge-triggers/${id}`)).status).toBe(404);
      expect((await intruder.get('/surge-triggers')).body).toEqual([]);
      await as.delete(`/surge-triggers/${id}`).expect(204);
    });
  });

  describe('preview and simulate over the event history', () => {
    const now = () => t.clock.now().getTime();
    const ago = (minutes: number) => new Date(now() - minutes * 60_000);
    let triggerId: string;

    const lead = async (leadId: string) => {
      const id = `lr_${leadId}`;
      await ds.query(`INSERT INTO leads (id, org_id, unit_id, lead_id, created_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())`, [
        id,
        a.orgId,
        a.unitId,
        leadId,
      ]);
      return id;
    };
    const event = (leadRef: string, leadId: string, type: string, at: Date, extra: { suppression?: string; skip_triggers?: boolean } = {}) =>
      ds.query(
        `INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, channel, suppression, skip_triggers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, 'web', $9, $10)`,
        [
          randomUUID(),
          a.orgId,
          a.unitId,
          leadRef,
          leadId,
          type,
          canonicalEventType(type),
          at.toISOString(),
          extra.suppression ?? null,
          extra.skip_triggers ?? false,
        ],
      );

    beforeAll(async () => {
      triggerId = (
        await as
          .post('/surge-triggers', {
            event_type: 'page view',
            window_seconds: 3600,
            threshold_count: 3,
            teams_webhook_url: `${hook.base}/ok-teams`,
            active: false,
          })
          .expect(201)
      ).body.trigger_id;
      // ld_a: 4 page views in 30 min (fires once), 3 more two hours later (fires again) → 2
      const la = await lead('ld_a');
      for (const m of [300, 290, 280, 270, 150, 140, 130]) await event(la, 'ld_a', 'Page View', ago(m));
      // ld_b: 2 page views, 3 suppressed ones, 3 skip_triggers ones and 3 of another type → 0
      const lb = await lead('ld_b');
      for (const m of [100, 99]) await event(lb, 'ld_b', 'Page View', ago(m));
      for (const m of [98, 97, 96]) await event(lb, 'ld_b', 'Page View', ago(m), { suppression: 'metadata_filter' });
      for (const m of [95, 94, 93]) await event(lb, 'ld_b', 'Page View', ago(m), { skip_triggers: true });
      for (const m of [92, 91, 90]) await event(lb, 'ld_b', 'Email Open', ago(m));
      // ld_c: 3 page views 40 days ago → only with days > 40
      const lc = await lead('ld_c');
      for (const m of [40 * 1440, 40 * 1440 - 10, 40 * 1440 - 20]) await event(lc, 'ld_c', 'page-view', ago(m));
    });

    it('preview counts firings over all leads of the OU in the last N days', async () => {
      expect((await as.post(`/surge-triggers/${triggerId}/preview`).expect(200)).body).toEqual({ would_fire_count: 2, sample_leads: ['ld_a'] });
      const longer = (await as.post(`/surge-triggers/${triggerId}/preview`, { days: 90 }).expect(200)).body;
      expect(longer.would_fire_count).toBe(3);
      expect(longer.sample_leads.sort()).toEqual(['ld_a', 'ld_c']);
      expect((await as.post(`/surge-triggers/${triggerId}/preview`, { days: 91 })).body.details[0].field).toBe('days');
      expect((await ds.query(`SELECT count(*)::int AS n FROM surge_events`))[0].n).toBe(0);
    });

    it('simulate returns the matched windows of one lead', async () => {
      const res = (await as.post(`/surge-triggers/${triggerId}/simulate`, { lead_id: 'ld_a' }).expect(200)).body;
      expect(res).toEqual({
        would_fire: true,
        total_matches: 2,
        message: 'Trigger would have fired 2 time(s) for this lead in the last 30 days',
        matched_windows: [
          { start: ago(280 + 60).toISOString(), end: ago(280).toISOString(), event_count: 3 },
          { start: ago(130 + 60).toISOString(), end: ago(130).toISOString(), event_count: 3 },
        ],
      });
      expect((await as.post(`/surge-triggers/${triggerId}/simulate`, { lead_id: 'ld_b', days: 7 }).expect(200)).body).toMatchObject({
        would_fire: false,
        total_matches: 0,
        message: 'Trigger would have fired 0 time(s) for this lead in the last 7 days',
        matched_windows: [],
      });
      expect((await as.post(`/surge-triggers/${triggerId}/simulate`, { lead_id: 'ld_missing' })).status).toBe(404);
      expect((await as.post(`/surge-triggers/${triggerId}/simulate`, {})).body.details[0].field).toBe('lead_id');
    });
  });

  describe('live detection and delivery', () => {
    const leadRef = 'lr_live';
    let version = 0;
    const record = async (type: string, at: Date, extra: Partial<LeadEventRecordedPayload> = {}) => {
      const payload: LeadEventRecordedPayload = {
        lead_id: 'ld_live',
        event_id: randomUUID(),
        client_event_id: null,
        event_type: type,
        event_type_key: canonicalEventType(type),
        occurred_at: at.toISOString(),
        received_at: at.toISOString(),
        metadata: {},
        channel: 'web',
        suppression: null,
        filter_id: null,
        contributions: [],
        source: 'api',
        skip_triggers: false,
        scope: 'activate',
        ...extra,
      };
      await t.app.get(EventStore).append(leadRef, 'lead', version === 0 ? 'no_stream' : version, [{ type: LeadEvent.EventRecorded, payload, occurredAt: at }], {
        org_id: a.orgId,
        unit_id: a.unitId,
      });
      version++;
    };
    const caughtUp = () => t.app.get(ProjectionRunner).catchUp(t.app.get(ProjectionRegistry).get('surge_detection'));
    const surgeRows = (triggerId: string) => ds.query(`SELECT * FROM surge_events WHERE trigger_id = $1 ORDER BY window_end`, [triggerId]);

    it('reads no event while no surge trigger is active anywhere, and reads them again once one is', async () => {
      const projection = t.app.get(ProjectionRegistry).get('surge_detection')!;
      const handle = jest.spyOn(projection, 'handle');
      const atHead = async () => {
        const [{ behind }] = await ds.query(
          `SELECT count(*)::int AS behind FROM projection_checkpoints
            WHERE name = 'surge_detection' AND last_position < (SELECT max(global_position) FROM event_store_events)`,
        );
        return behind === 0;
      };
      try {
        expect((await ds.query(`SELECT count(*)::int AS n FROM surge_triggers WHERE active`))[0].n).toBe(0);
        await caughtUp();
        handle.mockClear();
        await record('Page View', t.clock.now());
        // an append is read once no transaction older than it is open (the app's other projections' may be): until then
        // a catch-up sees nothing to do, so it is repeated until the checkpoint is past the event
        await eventually(async () => {
          await caughtUp();
          return atHead();
        });
        // moved past without reading the event: no batch handed to the projection
        expect(handle).not.toHaveBeenCalled();
        const trigger = (
          await as
            .post('/surge-triggers', { event_type: 'Chat Started', window_seconds: 600, threshold_count: 99, webhook_url: `${hook.base}/ok-unused` })
            .expect(201)
        ).body;
        await record('Chat Started', t.clock.now());
        await eventually(async () => {
          await caughtUp();
          return atHead();
        });
        expect(handle).toHaveBeenCalled();
        // read with the fields detection uses, not the event's whole body
        const seen = handle.mock.calls.flatMap(([events]) => events).find((e) => (e.payload as LeadEventRecordedPayload).event_type === 'Chat Started');
        expect(Object.keys(seen!.payload).sort()).toEqual(
          ['channel', 'event_id', 'event_type', 'event_type_key', 'lead_id', 'metadata', 'occurred_at', 'scope', 'skip_triggers', 'suppression'].sort(),
        );
        await as.delete(`/surge-triggers/${trigger.trigger_id}`).expect(204);
      } finally {
        handle.mockRestore();
      }
    });

    it('fires once per window when a lead reaches the threshold, and POSTs the webhook with its auth header', async () => {
      const trigger = (
        await as
          .post('/surge-triggers', {
            event_type: 'Demo Request',
            window_seconds: 600,
            threshold_count: 3,
            webhook_url: `${hook.base}/ok-webhook`,
            webhook_auth_header: 'Bearer surge-secret-123',
          })
          .expect(201)
      ).body;
      const base = t.clock.now().getTime();
      const at = (s: number) => new Date(base + s * 1000);
      // not counted: suppressed, skip_triggers, observe-only, other type
      await record('Demo Request', at(0), { suppression: 'metadata_filter' });
      await record('Demo Request', at(1), { skip_triggers: true });
      await record('Demo Request', at(2), { scope: 'observe' });
      await record('Page View', at(3));
      for (const s of [10, 20, 30, 40, 50]) await record('demo-request', at(s));
      await eventually(async () => hook.received.some((r) => r.path === '/ok-webhook'));
      await caughtUp();
      const rows = await surgeRows(trigger.trigger_id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ lead_id: 'ld_live', lead_ref: leadRef, event_count: 3, event_type: 'demo-request', channel: 'web' });
      expect(new Date(rows[0].window_end).toISOString()).toBe(at(30).toISOString());

      const sent = hook.received.filter((r) => r.path === '/ok-webhook');
      expect(sent).toHaveLength(1);
      expect(sent[0].headers.authorization).toBe('Bearer surge-secret-123');
      expect(sent[0].headers['content-type']).toContain('application/json');
      expect(sent[0].body).toMatchObject({
        type: 'surge',
        trigger: { id: trigger.trigger_id, name: trigger.name },
        lead: { id: 'ld_live' },
        event: { event_type: 'demo-request', channel: 'web' },
        surge: { id: rows[0].id, event_count: 3, window_end: at(30).toISOString() },
      });

      // after the window has passed since the firing, the same lead fires again
      for (const s of [700, 710, 720]) await record('Demo Request', at(s));
      await eventually(async () => (await surgeRows(trigger.trigger_id)).length === 2);
      await caughtUp();
      expect((await surgeRows(trigger.trigger_id)).map((r: { event_count: number }) => r.event_count)).toEqual([3, 3]);
      await eventually(async () => hook.received.filter((r) => r.path === '/ok-webhook').length === 2);

      const listed = await as.get('/surge-events').expect(200);
      expect(listed.headers['x-total-count']).toBe('2');
      expect(listed.body[0]).toEqual({
        id: expect.any(String),
        trigger_id: trigger.trigger_id,
        lead_id: 'ld_live',
        event_type: 'Demo Request',
        event_count: 3,
        window_start: at(120).toISOString(),
        window_end: at(720).toISOString(),
        channel: 'web',
        fired_at: expect.any(String),
      });
      expect((await as.get('/surge-events?channel=email')).body).toEqual([]);
      expect((await as.get('/surge-events?limit=1&page=2')).body).toHaveLength(1);
      expect((await as.get(`/surge-events?start=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).body).toEqual([]);
      expect((await as.get('/surge-events?start=yesterday')).body.details[0].field).toBe('start');
      expect((await as.get('/surge-events?limit=501')).body.details[0].field).toBe('limit');
      expect((await api(t, b.admin).get('/surge-events')).body).toEqual([]);

      const health = (await as.get(`/surge-triggers/${trigger.trigger_id}/health`).expect(200)).body;
      expect(health).toMatchObject({ delivered_24h: 2, failed_24h: 0, last_failure_at: null, last_error: null, status: 'green' });
      expect(health.recent_attempts).toHaveLength(2);
      await as.put(`/surge-triggers/${trigger.trigger_id}`, { active: false }).expect(204);
    });

    it('records a failing destination as a failed attempt in health, and a delivered Teams post beside it', async () => {
      const trigger = (
        await as
          .post('/surge-triggers', {
            event_type: 'Pricing View',
            window_seconds: 60,
            threshold_count: 1,
            webhook_url: `${hook.base}/fail`,
            teams_webhook_url: `${hook.base}/ok-teams`,
          })
          .expect(201)
      ).body;
      await record('Pricing View', new Date(t.clock.now().getTime() + 5_000_000));
      // the 500 is retried (NOTIFICATION_MAX_ATTEMPTS = 5, backoff shortened in tests) before it counts as failed
      const health = await eventually(async () => {
        const h = (await as.get(`/surge-triggers/${trigger.trigger_id}/health`)).body;
        return h.delivered_24h === 1 && h.failed_24h === 1 ? h : null;
      });
      expect(health).toMatchObject({ delivered_24h: 1, failed_24h: 1, last_error: 'HTTP 500', status: 'red', last_failure_at: expect.any(String) });
      expect(
        health.recent_attempts.map((x: { destination: string; status: string; http_status: number }) => `${x.destination}:${x.status}:${x.http_status}`).sort(),
      ).toEqual(['teams:delivered:204', ...Array(5).fill('webhook:failed:500')]);
      expect(hook.received.filter((r) => r.path === '/fail')).toHaveLength(5);
      const failures = (await as.get(`/notification-failures?trigger_id=${trigger.trigger_id}`).expect(200)).body;
      expect(failures).toMatchObject({
        total_count: 1,
        next_cursor: null,
        items: [{ trigger_type: 'surge', destination: 'webhook', status: 'retry_exhausted', failure_stage: 'surge_webhook', attempts: 5, http_status: 500 }],
      });
      const teams = hook.received.find((r) => r.path === '/ok-teams');
      expect(teams?.body.text).toContain('ld_live');
      expect(teams?.headers.authorization).toBeUndefined();
    });
  });
});
