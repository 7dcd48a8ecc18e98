import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProjectionRegistry } from '../src/platform/projections/projection.registry';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { QueueName } from '../src/platform/queues';
import { emailAliases as email, ingestAndWait, leadOfEvent } from './support/ingest';
import { milestoneScoring } from './support/rulesets';
import { startScenario } from './support/scenario';
import { activateOu, api, Auth, memberWithRole, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** A local HTTP endpoint answering 204 and recording every request. */
async function fakeReceiver(): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: data ? JSON.parse(data) : null });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('Milestone triggers', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let sa: Auth;
  let as: ReturnType<typeof api>;
  let ds: DataSource;
  let hook: Awaited<ReturnType<typeof fakeReceiver>>;
  let viewer: Auth;

  /** the detection has seen everything recorded so far */
  const caughtUp = () => t.app.get(ProjectionRunner).catchUp(t.app.get(ProjectionRegistry).get('trigger_detection'));
  const send = async (who: string, eventType: string, at?: Date) => {
    const [id] = await ingestAndWait(t, sa, { ...email(who), event_type: eventType, ...(at ? { timestamp: at.toISOString() } : {}) });
    await caughtUp();
    return id;
  };
  const firings = (triggerId: string) =>
    ds.query(`SELECT kind, score, previous_score, event_type FROM milestone_events WHERE trigger_id = $1 ORDER BY fired_at, kind`, [triggerId]);

  beforeAll(async () => {
    const s = await startScenario({ rival: 'Milestone Rivals', serviceAccount: 'milestone-pipe' });
    ({ t, a, b } = s);
    sa = s.sa.auth;
    ds = t.app.get(DataSource);
    as = api(t, a.admin);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@milestones.example', 'Viewer')).auth;
    hook = await fakeReceiver();
    await milestoneScoring(t, a.admin);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => hook.server.close(r));
  });

  describe('configuration', () => {
    it('creates (201, seed fields), lists, updates partially (200 with the trigger), deletes (204) and audits each change', async () => {
      const created = await as
        .post('/triggers', {
          event_type: 'Demo Request',
          score_threshold: 50,
          webhook_url: `${hook.base}/config`,
          emails: ['Sales@Example.com', 'sales@example.com'],
          email_subject: 'Hot lead',
          email_message: 'Call them today',
        })
        .expect(201);
      expect(created.body).toEqual({
        trigger_id: expect.stringMatching(/^trg_/),
        org_id: a.orgId,
        unit_id: a.unitId,
        name: 'Score ≥ 50 (Demo Request)',
        event_type: 'Demo Request',
        score_threshold: 50,
        fire_mode: 'once',
        cooldown_seconds: 0,
        engagement_levels: [],
        active: true,
        notification_channel_id: null,
        webhook_url: `${hook.base}/config`,
        teams_webhook_url: null,
        emails: ['sales@example.com'],
        email_subject: 'Hot lead',
        email_preheader: null,
        email_message: 'Call them today',
        slack_target_kind: null,
        slack_target_id: null,
        notify_owner: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        created_by: a.adminEmail,
        updated_by: a.adminEmail,
      });
      const id = created.body.trigger_id;
      expect((await as.get('/triggers').expect(200)).body).toEqual([created.body]);
      expect((await api(t, b.admin).get('/triggers').expect(200)).body).toEqual([]);

      const updated = await as
        .put(`/triggers/${id}`, { name: 'Ready for sales', fire_mode: 'always', cooldown_seconds: 3600, active: false, email_message: null })
        .expect(200);
      expect(updated.body).toMatchObject({
        trigger_id: id,
        name: 'Ready for sales',
        fire_mode: 'always',
        cooldown_seconds: 3600,
        active: false,
        email_message: null,
        score_threshold: 50,
      });
      expect((await as.get('/triggers')).body[0]).toEqual(updated.body);
      const stream = await ds.query(`SELECT event_type FROM event_store_events WHERE stream_id = $1 ORDER BY stream_version`, [id]);
      expect(stream.map((e: { event_type: string }) => e.event_type)).toEqual(['TriggerCreated', 'TriggerUpdated', 'TriggerPaused']);

      await as.delete(`/triggers/${id}`).expect(204);
      await as.delete(`/triggers/${id}`).expect(404);
      expect((await as.get('/triggers')).body).toEqual([]);
      // the audit entry of a request is written as it ends
      const audit = await eventually(async () => {
        const rows = await ds.query(`SELECT summary FROM audit_logs WHERE entity_id = $1 ORDER BY id`, [id]);
        return rows.length === 3 ? rows : null;
      });
      expect(audit.map((r: { summary: string }) => r.summary)).toEqual([
        `${a.adminEmail} created milestone trigger 'Score ≥ 50 (Demo Request)'`,
        `${a.adminEmail} updated milestone trigger 'Ready for sales'`,
        `${a.adminEmail} deleted milestone trigger 'Ready for sales'`,
      ]);
    });

    it('answers 400 naming the field and writes nothing; 401 without a credential; 403 for a Viewer; 404 for another OU', async () => {
      const before = (await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE stream_type = 'trigger'`))[0].n;
      const bad = async (body: object, field: string) => {
        const res = await as.post('/triggers', body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      };
      await bad({ event_type: 'Demo Request' }, 'score_threshold');
      await bad({ score_threshold: 'fifty' }, 'score_threshold');
      await bad({ score_threshold: 0 }, 'score_threshold');
      await bad({ score_threshold: 10, fire_mode: 'sometimes' }, 'fire_mode');
      await bad({ score_threshold: 10, cooldown_seconds: 60 }, 'cooldown_seconds');
      await bad({ score_threshold: 10, emails: ['not-an-email'] }, 'emails');
      await bad({ score_threshold: 10, notification_channel_id: 'nope' }, 'notification_channel_id');
      // private destinations are refused by the outbound guard (contracts §2) and never contacted
      for (const url of ['https://10.0.0.1/hook', 'https://192.168.1.1/hook', 'http://169.254.169.254/latest']) {
        const res = await as.post('/triggers', { score_threshold: 10, webhook_url: url }).expect(400);
        expect(res.body).toMatchObject({ error: 'destination_not_allowed', details: [{ field: 'webhook_url' }] });
      }
      await as.post('/triggers', { score_threshold: 10, teams_webhook_url: 'https://10.0.0.1/teams' }).expect(400);
      const unknownChannel = await as.post('/triggers', { score_threshold: 10, notification_channel_id: '6f1c1d2e-0000-4000-8000-000000000001' }).expect(400);
      expect(unknownChannel.body).toMatchObject({ error: 'unknown_notification_channel', details: [{ field: 'notification_channel_id' }] });
      const channelOfB = (
        await api(t, b.admin)
          .post('/notification-channels', { name: 'B alerts', type: 'webhook', config: { url: 'https://hooks.example.com/b' } })
          .expect(201)
      ).body.id;
      await as.post('/triggers', { score_threshold: 10, notification_channel_id: channelOfB }).expect(400);
      expect((await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE stream_type = 'trigger'`))[0].n).toBe(before);

      await request(t.http).get('/triggers').expect(401);
      await request(t.http).post('/triggers').send({ score_threshold: 10 }).expect(401);
      await api(t, viewer).post('/triggers', { score_threshold: 10 }).expect(403);
      expect((await api(t, viewer).get('/triggers')).status).toBe(200);

      const mine = (await as.post('/triggers', { score_threshold: 10, active: false }).expect(201)).body.trigger_id;
      await api(t, viewer).put(`/triggers/${mine}`, { score_threshold: 20 }).expect(403);
      await api(t, viewer).delete(`/triggers/${mine}`).expect(403);
      const rival = api(t, b.admin);
      await rival.put(`/triggers/${mine}`, { score_threshold: 20 }).expect(404);
      await rival.delete(`/triggers/${mine}`).expect(404);
      await rival.get(`/triggers/${mine}/health`).expect(404);
      await rival.post(`/triggers/${mine}/simulate`, {}).expect(404);
      await as.put('/triggers/trg_unknown', { score_threshold: 20 }).expect(404);
      await as.put(`/triggers/${mine}`, { score_threshold: -1 }).expect(400);
      // a trigger of another kind is not a milestone trigger
      const sequence = (await as.post('/sequences', { event_types: ['A', 'B'], window_seconds: 60, active: false }).expect(201)).body.trigger_id;
      await as.get(`/triggers/${sequence}/health`).expect(404);
      await as.delete(`/triggers/${mine}`).expect(204);
      await as.delete(`/sequences/${sequence}`).expect(204);
    });
  });

  describe('live detection', () => {
    it('fires Milestone Reached once on the upward crossing (mode once), records Milestone Exited, and POSTs the webhook once', async () => {
      // every delivery job's outcome: a firing's job is queued once the firing committed, so none finds it still being written
      const outcomes: string[] = [];
      const onCompleted = (_job: unknown, result: { outcome?: string }) => outcomes.push(result?.outcome ?? '');
      const queue = t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery));
      queue.on('completed', onCompleted);
      const trigger = (await as.post('/triggers', { score_threshold: 50, webhook_url: `${hook.base}/once`, name: 'Fifty' }).expect(201)).body;
      const paused = (await as.post('/triggers', { score_threshold: 20, webhook_url: `${hook.base}/paused`, active: false }).expect(201)).body;
      const typed = (await as.post('/triggers', { score_threshold: 20, event_type: 'Demo Request', webhook_url: `${hook.base}/typed` }).expect(201)).body;
      const rival = (
        await api(t, b.admin)
          .post('/triggers', { score_threshold: 1, webhook_url: `${hook.base}/rival` })
          .expect(201)
      ).body;

      await send('once@example.com', 'Page View'); // 10: crosses typed's 20? no (10 < 20)
      await send('once@example.com', 'Page View'); // 20: crosses 20 by a Page View: typed ignores it
      await send('once@example.com', 'Page View'); // 30
      const crossing = await send('once@example.com', 'Demo Request'); // 60: crosses 50
      await send('once@example.com', 'Page View'); // 70: already above
      await send('once@example.com', 'Unsubscribe'); // 40: exited
      await send('once@example.com', 'Demo Request'); // 70: crosses again, but once

      const leadId = await leadOfEvent(t, sa, crossing);
      expect(await firings(trigger.trigger_id)).toEqual([
        { kind: 'reached', score: 60, previous_score: 30, event_type: 'Demo Request' },
        { kind: 'exited', score: 40, previous_score: 70, event_type: 'Unsubscribe' },
      ]);
      expect(await firings(typed.trigger_id)).toEqual([]);
      expect(await firings(paused.trigger_id)).toEqual([]);
      expect(await firings(rival.trigger_id)).toEqual([]);

      await eventually(async () => hook.received.some((r) => r.path === '/once'));
      const listed = await as.get('/milestone-events').expect(200);
      expect(listed.headers['x-total-count']).toBe('1');
      expect(listed.body).toEqual([
        {
          id: expect.any(String),
          trigger_id: trigger.trigger_id,
          trigger_name: 'Fifty',
          lead_id: leadId,
          score: 60,
          previous_score: 30,
          event_id: crossing,
          event_type: 'Demo Request',
          fired_at: expect.any(String),
        },
      ]);
      const sent = hook.received.filter((r) => r.path === '/once');
      expect(sent).toHaveLength(1);
      expect(sent[0].body).toMatchObject({
        type: 'milestone',
        trigger: { id: trigger.trigger_id, name: 'Fifty' },
        lead: { id: leadId },
        event: { id: crossing, event_type: 'Demo Request' },
        score: { value: 60, previous: 30, threshold: 50 },
        why: 'Score 60 reached 50 after Demo Request (+30)',
        firing_id: listed.body[0].id,
      });
      expect(hook.received.filter((r) => ['/paused', '/typed', '/rival'].includes(r.path))).toEqual([]);

      const health = await eventually(async () => {
        const h = (await as.get(`/triggers/${trigger.trigger_id}/health`).expect(200)).body;
        return h.delivered_24h === 1 ? h : null;
      });
      expect(health).toMatchObject({ delivered_24h: 1, failed_24h: 0, last_failure_at: null, last_error: null, status: 'green' });
      expect(health.recent_attempts).toEqual([
        expect.objectContaining({ source_id: listed.body[0].id, destination: 'webhook', status: 'delivered', http_status: 204 }),
      ]);
      const records = (await as.get(`/notification-failures?trigger_id=${trigger.trigger_id}&status=delivered`).expect(200)).body;
      expect(records.items).toEqual([expect.objectContaining({ trigger_type: 'milestone', status: 'delivered' })]);
      queue.off('completed', onCompleted);
      expect(outcomes).toEqual(['delivered']);

      await as.put(`/triggers/${trigger.trigger_id}`, { active: false }).expect(200);
      await as.put(`/triggers/${typed.trigger_id}`, { active: false }).expect(200);
      await api(t, b.admin).delete(`/triggers/${rival.trigger_id}`).expect(204);
    });

    it("mode always fires on every crossing, not again within the cooldown; the trigger's event type must cause the crossing", async () => {
      const trigger = (
        await as
          .post('/triggers', {
            score_threshold: 30,
            event_type: 'demo request',
            fire_mode: 'always',
            cooldown_seconds: 3600,
            webhook_url: `${hook.base}/always`,
          })
          .expect(201)
      ).body;
      const t0 = Date.now() - 6 * 3_600_000;
      const at = (minutes: number) => new Date(t0 + minutes * 60_000);
      await send('always@example.com', 'Demo Request', at(0)); // 0 → 30: reached
      await send('always@example.com', 'Unsubscribe', at(1)); // 30 → 0: exited
      await send('always@example.com', 'Demo Request', at(2)); // 0 → 30: within the cooldown
      await send('always@example.com', 'Unsubscribe', at(3)); // 30 → 0 (no exit: that crossing was not a firing)
      await send('always@example.com', 'Demo Request', at(90)); // 0 → 30: cooldown over
      await send('always@example.com', 'Unsubscribe', at(91)); // exited
      await send('always@example.com', 'Page View', at(92)); // 0 → 10
      await send('always@example.com', 'Page View', at(93)); // 10 → 20
      await send('always@example.com', 'Page View', at(200)); // 20 → 30 by a Page View: not the trigger's type
      expect((await firings(trigger.trigger_id)).map((f: { kind: string }) => f.kind)).toEqual(['reached', 'exited', 'reached', 'exited']);
      await eventually(async () => hook.received.filter((r) => r.path === '/always').length === 2);

      const sim = (await as.post(`/triggers/${trigger.trigger_id}/simulate`, { lead_id: (await as.get('/milestone-events')).body[0].lead_id }).expect(200))
        .body;
      expect(sim).toEqual({
        would_fire: true,
        matched_leads: [expect.any(String)],
        total_matches: 2,
        message: 'Trigger would have fired 2 time(s) for this lead in the last 30 days',
      });
      await as.put(`/triggers/${trigger.trigger_id}`, { active: false }).expect(200);
    });

    it('events imported with skip_triggers move the score but fire nothing', async () => {
      const trigger = (await as.post('/triggers', { score_threshold: 20, webhook_url: `${hook.base}/skip` }).expect(201)).body;
      const before = (await as.get('/events?limit=500')).body.events.length;
      await request(t.http)
        .post('/import?skip_triggers=true')
        .set(sa.header, sa.value)
        .attach('file', Buffer.from('event_type,email\nDemo Request,skip@example.com\n'), 'events.csv')
        .expect(202);
      await eventually(async () => (await as.get('/events?limit=500')).body.events.length > before);
      await caughtUp();
      expect(await firings(trigger.trigger_id)).toEqual([]);
      await send('skip@example.com', 'Page View'); // 30 → 40: no crossing (already above)
      expect(await firings(trigger.trigger_id)).toEqual([]);
      await send('skip2@example.com', 'Demo Request'); // 0 → 30: fires
      expect(await firings(trigger.trigger_id)).toHaveLength(1);
      await as.put(`/triggers/${trigger.trigger_id}`, { active: false }).expect(200);
    });

    it("a paused once-trigger remembers its firing when resumed; a deleted trigger's memory leaves the lead's row", async () => {
      const kept = (await as.post('/triggers', { score_threshold: 30, webhook_url: `${hook.base}/kept` }).expect(201)).body;
      const gone = (await as.post('/triggers', { score_threshold: 25, webhook_url: `${hook.base}/gone` }).expect(201)).body;
      const first = await send('memory@example.com', 'Demo Request'); // 0 → 30: both fire
      const [{ lead_ref: ref }] = await ds.query(`SELECT lead_ref FROM milestone_events WHERE event_id = $1 LIMIT 1`, [first]);
      const memory = async () => (await ds.query(`SELECT state FROM trigger_lead_scores WHERE lead_ref = $1`, [ref]))[0].state;
      expect(await memory()).toEqual({
        [kept.trigger_id]: { n: 1, l: expect.any(Number), a: 1 },
        [gone.trigger_id]: { n: 1, l: expect.any(Number), a: 1 },
      });

      await as.put(`/triggers/${kept.trigger_id}`, { active: false }).expect(200);
      await as.delete(`/triggers/${gone.trigger_id}`).expect(204);
      await send('memory@example.com', 'Unsubscribe'); // 30 → 0 while paused: nothing stepped
      expect(Object.keys(await memory())).toEqual([kept.trigger_id]);
      await as.put(`/triggers/${kept.trigger_id}`, { active: true }).expect(200);
      await send('memory@example.com', 'Demo Request'); // 0 → 30 again: mode once, fired before
      expect((await firings(kept.trigger_id)).map((f: { kind: string }) => f.kind)).toEqual(['reached']);
      await as.put(`/triggers/${kept.trigger_id}`, { active: false }).expect(200);
    });
  });

  describe('lead filters', () => {
    it('fires only for leads in one of the engagement_levels (MS-5)', async () => {
      await as.post('/engagement-scoring/levels', { name: 'Cold', min_score: 0, max_score: 9 }).expect(201);
      await as.post('/engagement-scoring/levels', { name: 'Hot', min_score: 10 }).expect(201);
      const hot = (await as.post('/triggers', { score_threshold: 45, engagement_levels: ['Hot', ' Hot '] }).expect(201)).body;
      expect(hot.engagement_levels).toEqual(['Hot']);
      const cold = (await as.post('/triggers', { score_threshold: 45, engagement_levels: ['Cold'] }).expect(201)).body;
      await send('levels@example.com', 'Page View'); // 10: Hot
      await send('levels@example.com', 'Page View'); // 20
      await send('levels@example.com', 'Demo Request'); // 50: crosses 45
      expect(await firings(hot.trigger_id)).toEqual([{ kind: 'reached', score: 50, previous_score: 20, event_type: 'Demo Request' }]);
      expect(await firings(cold.trigger_id)).toEqual([]);
      for (const id of [hot.trigger_id, cold.trigger_id]) await as.delete(`/triggers/${id}`).expect(204);
    });
  });

  describe('reads', () => {
    it('pages milestone events newest first, filters by trigger_id, and exports them as CSV', async () => {
      const all = await as.get('/milestone-events').expect(200);
      expect(Number(all.headers['x-total-count'])).toBeGreaterThanOrEqual(3);
      const times = all.body.map((e: { fired_at: string }) => e.fired_at);
      expect([...times].sort().reverse()).toEqual(times);
      const page2 = (await as.get('/milestone-events?limit=1&page=2').expect(200)).body;
      expect(page2).toEqual([all.body[1]]);
      const one = all.body[0];
      const filtered = await as.get(`/milestone-events?trigger_id=${one.trigger_id}`).expect(200);
      expect(filtered.body.every((e: { trigger_id: string }) => e.trigger_id === one.trigger_id)).toBe(true);
      expect((await as.get('/milestone-events?limit=0')).body.details[0].field).toBe('limit');
      expect((await as.get('/milestone-events?limit=101')).body.details[0].field).toBe('limit');
      await as.get('/milestone-events?limit=100').expect(200);
      expect((await api(t, b.admin).get('/milestone-events').expect(200)).body).toEqual([]);

      const csv = await as.get(`/milestone-events/export?trigger_id=${one.trigger_id}`).expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe('id,trigger_id,trigger_name,lead_id,score,event_type,fired_at');
      expect(lines[1]).toBe([one.id, one.trigger_id, one.trigger_name, one.lead_id, one.score, one.event_type, one.fired_at].join(','));
      expect(lines).toHaveLength(filtered.body.length + 1);
      expect((await api(t, b.admin).get('/milestone-events/export').expect(200)).text.trim()).toBe(
        'id,trigger_id,trigger_name,lead_id,score,event_type,fired_at',
      );
    });

    it('simulates over every lead active in the period, and answers 404 for an unknown lead and 400 for bad days', async () => {
      const trigger = (await as.post('/triggers', { score_threshold: 25, active: false }).expect(201)).body;
      const sim = (await as.post(`/triggers/${trigger.trigger_id}/simulate`, {}).expect(200)).body;
      expect(sim.would_fire).toBe(true);
      expect(sim.total_matches).toBe(sim.matched_leads.length);
      expect(sim.message).toBe(`Trigger would have fired ${sim.total_matches} time(s) for ${sim.matched_leads.length} lead(s) in the last 30 days`);
      expect((await as.post(`/triggers/${trigger.trigger_id}/simulate`, { lead_id: 'ld_nobody' })).status).toBe(404);
      expect((await as.post(`/triggers/${trigger.trigger_id}/simulate`, { days: 91 })).body.details[0].field).toBe('days');
      expect((await api(t, viewer).post(`/triggers/${trigger.trigger_id}/simulate`, {})).status).toBe(200);
      expect(await firings(trigger.trigger_id)).toEqual([]);
    });
  });
});
