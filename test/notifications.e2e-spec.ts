import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { LeadEvent, LeadEventRecordedPayload } from '../src/modules/leads';
import { DeliveryOutbox, DeliveryDestination } from '../src/modules/notifications';
import { claimStatement, OutboxSweeper } from '../src/modules/notifications/outbox/notification-delivery.job';
import { OutboxRetentionJob } from '../src/modules/notifications/outbox/outbox-retention.job';
import { canonicalEventType } from '../src/modules/scoring/domain/event-type';
import { EventStore } from '../src/platform/event-store/event-store.service';
import { uuidv7 } from '../src/platform/event-store';
import { QueueName } from '../src/platform/queues';
import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import { activateOu, api, Auth, memberWithRole, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/**
 * A local HTTP receiver with programmable answers: `/status/<code>…` answers that code, `/redirect?to=<url>` a 302 to
 * the URL, anything else 200. Every request is recorded.
 */
async function receiver(host = '127.0.0.1'): Promise<{ server: Server; base: string; received: Received[]; at: (path: string) => Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: data ? JSON.parse(data) : null });
      const url = new URL(req.url ?? '/', 'http://x');
      const status = /^\/status\/(\d{3})/.exec(url.pathname);
      if (url.pathname === '/redirect') {
        res.writeHead(302, { Location: url.searchParams.get('to')! });
        return res.end();
      }
      res.statusCode = status ? Number(status[1]) : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const base = `http://${host}:${(server.address() as AddressInfo).port}`;
  return { server, base, received, at: (path) => received.filter((r) => r.path === path) };
}

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** An SMTP sink on 127.0.0.1 (no TLS, no auth) that records every message. */
async function smtpSink(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

describe('Notification channels and delivery', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let viewer: Auth;
  let ds: DataSource;
  let hook: Awaited<ReturnType<typeof receiver>>;
  /** listens on 127.0.0.2: loopback, not allow-listed, so it must never be contacted */
  let forbidden: Awaited<ReturnType<typeof receiver>>;
  let smtp: Awaited<ReturnType<typeof smtpSink>>;
  const as = () => api(t, a.admin);

  beforeAll(async () => {
    smtp = await smtpSink();
    ({ t, a, b } = await startScenario({ rival: 'Channel Rivals', env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } }));
    ds = t.app.get(DataSource);
    await activateOu(t, a.admin, a.unitId);
    viewer = (await memberWithRole(t, a, 'viewer@channels.example', 'Viewer')).auth;
    hook = await receiver();
    forbidden = await receiver('127.0.0.2');
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => hook.server.close(r));
    await new Promise((r) => forbidden.server.close(r));
    await new Promise<void>((r) => smtp.server.close(() => r()));
  });

  const channelCount = async () => (await ds.query(`SELECT count(*)::int AS n FROM notification_channels`))[0].n as number;

  /** Writes one notification through the outbox in its own transaction, as a firing does. */
  const notify = async (destinations: DeliveryDestination[], opts: { triggerId?: string; unitId?: string; orgId?: string } = {}) => {
    const sourceId = randomUUID();
    const ids = await ds.transaction((m) =>
      t.app.get(DeliveryOutbox).enqueue(m, {
        org_id: opts.orgId ?? a.orgId,
        unit_id: opts.unitId ?? a.unitId,
        trigger_type: 'surge',
        trigger_id: opts.triggerId ?? 'srg_test',
        source_id: sourceId,
        lead_id: 'ld_notify',
        destinations,
        message: {
          title: 'Hot lead',
          why: 'Why: 3 demo requests in 10 min',
          body: { type: 'surge', lead: { id: 'ld_notify' }, why: 'Why: 3 demo requests in 10 min' },
        },
        at: t.clock.now(),
      }),
    );
    return { sourceId, ids };
  };
  const delivery = (id: string) => ds.query(`SELECT * FROM notification_deliveries WHERE id = $1`, [id]).then((r) => r[0]);
  const settled = (id: string) => eventually(async () => ((await delivery(id))?.status !== 'pending' ? delivery(id) : null));

  describe('channels (NC-1, NC-2)', () => {
    it('creates each type with its config, masks a webhook auth header, lists newest first, updates and deletes', async () => {
      const webhook = await as()
        .post('/notification-channels', {
          name: 'Ops webhook',
          type: 'webhook',
          config: { url: `${hook.base}/ok`, auth_header: 'Bearer channel-secret-42' },
        })
        .expect(201);
      expect(webhook.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        unit_id: a.unitId,
        name: 'Ops webhook',
        type: 'webhook',
        config: { url: `${hook.base}/ok`, auth_header: 'Bea•••-42' },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const [stored] = await ds.query(`SELECT config, secret_enc FROM notification_channels WHERE id = $1`, [webhook.body.id]);
      expect(JSON.stringify(stored)).not.toContain('channel-secret');
      const teams = (
        await as()
          .post('/notification-channels', {
            name: 'Teams',
            type: 'teams',
            config: { webhook_url: 'https://example.webhook.office.com/x', channel_name: 'Sales' },
          })
          .expect(201)
      ).body;
      const email = (
        await as()
          .post('/notification-channels', { name: 'Mail', type: 'email', config: { recipients: 'a@example.com,  b@example.com', subject_prefix: '[kenbun]' } })
          .expect(201)
      ).body;
      expect(email.config).toEqual({ recipients: 'a@example.com, b@example.com', subject_prefix: '[kenbun]' });
      const slack = (
        await as()
          .post('/notification-channels', { name: 'Slack', type: 'slack', config: { channel_id: 'C01ABCDEF', channel_name: '#sales' } })
          .expect(201)
      ).body;

      const listed = (await as().get('/notification-channels').expect(200)).body;
      expect(listed.map((c: { id: string }) => c.id)).toEqual([slack.id, email.id, teams.id, webhook.body.id]);
      expect((await api(t, b.admin).get('/notification-channels').expect(200)).body).toEqual([]);
      expect((await api(t, viewer).get('/notification-channels').expect(200)).body).toHaveLength(4);

      // the mask sent back keeps the stored secret; a rename keeps the config
      const renamed = (await as().put(`/notification-channels/${webhook.body.id}`, { name: 'Renamed' }).expect(200)).body;
      expect(renamed).toMatchObject({ name: 'Renamed', config: { url: `${hook.base}/ok`, auth_header: 'Bea•••-42' } });
      await as()
        .put(`/notification-channels/${webhook.body.id}`, { config: { url: `${hook.base}/ok-kept`, auth_header: 'Bea•••-42' } })
        .expect(200);
      const { ids } = await notify([{ kind: 'channel', channelId: webhook.body.id }]);
      expect((await settled(ids[0])).status).toBe('delivered');
      expect(hook.at('/ok-kept')[0].headers.authorization).toBe('Bearer channel-secret-42');

      // a type change needs the new type's config
      const retyped = await as().put(`/notification-channels/${slack.id}`, { type: 'email' }).expect(400);
      expect(retyped.body.details[0].field).toBe('config.recipients');
      await as().delete(`/notification-channels/${teams.id}`).expect(204);
      await as().get(`/notification-channels/${teams.id}/health`).expect(404);
      await as().delete(`/notification-channels/${teams.id}`).expect(404);

      // every change is in the audit log, the secret in none of it
      await t.app.get(AuditWriter).flush();
      const audit = (await as().get('/audit-logs?limit=100').expect(200)).body.items.filter(
        (i: { entity_type: string; status: number }) => i.entity_type === 'notification_channel' && i.status < 300,
      );
      expect(audit.map((i: { method: string; entity_id: string }) => `${i.method} ${i.entity_id}`).sort()).toEqual(
        [
          `POST ${webhook.body.id}`,
          `POST ${teams.id}`,
          `POST ${email.id}`,
          `POST ${slack.id}`,
          `PUT ${webhook.body.id}`,
          `PUT ${webhook.body.id}`,
          `DELETE ${teams.id}`,
        ].sort(),
      );
      expect(audit.find((i: { method: string }) => i.method === 'DELETE').summary).toContain("deleted teams notification channel 'Teams'");
      expect(JSON.stringify(audit)).not.toContain('channel-secret');
    });

    it('refuses a bad body with 400 naming the field and writes nothing', async () => {
      const before = await channelCount();
      const field = async (body: object) => (await as().post('/notification-channels', body).expect(400)).body.details[0].field;
      expect(await field({ type: 'webhook', config: { url: 'https://hooks.example.com/x' } })).toBe('name');
      expect(await field({ name: 'x', type: 'pager', config: {} })).toBe('type');
      expect(await field({ name: 'x', type: 'webhook' })).toBe('config');
      expect(await field({ name: 'x', type: 'webhook', config: {} })).toBe('config.url');
      expect(await field({ name: 'x', type: 'webhook', config: { url: 'https://hooks.example.com/x', secret: 'y' } })).toBe('config.secret');
      expect(await field({ name: 'x', type: 'teams', config: { url: 'https://hooks.example.com/x' } })).toBe('config.url');
      expect(await field({ name: 'x', type: 'email', config: { recipients: 'a@example.com, not-an-address' } })).toBe('config.recipients');
      expect(await field({ name: 'x', type: 'slack', config: { channel_id: '#general' } })).toBe('config.channel_id');
      expect(await field({ name: 'x', type: 'slack', config: { channel_id: 42 } })).toBe('config.channel_id');
      expect(await channelCount()).toBe(before);
    });

    it('refuses private, loopback, link-local and metadata destinations with 400 destination_not_allowed, and never contacts them', async () => {
      const before = await channelCount();
      const refused = async (type: string, config: object, fieldName: string) => {
        const res = await as().post('/notification-channels', { name: 'Sneaky', type, config }).expect(400);
        expect(res.body).toMatchObject({ error: 'destination_not_allowed', details: [{ field: fieldName }] });
      };
      await refused('webhook', { url: 'https://10.0.0.1/hook' }, 'config.url');
      await refused('webhook', { url: 'https://192.168.1.1/hook' }, 'config.url');
      await refused('webhook', { url: 'https://169.254.169.254/latest/meta-data' }, 'config.url');
      await refused('webhook', { url: 'https://[::1]/hook' }, 'config.url');
      await refused('webhook', { url: 'https://localhost/hook' }, 'config.url');
      await refused('webhook', { url: `${forbidden.base}/hook` }, 'config.url');
      await refused('webhook', { url: 'http://hooks.example.com/plain-http' }, 'config.url');
      await refused('teams', { webhook_url: 'https://172.16.0.9/teams' }, 'config.webhook_url');
      expect(await channelCount()).toBe(before);
      expect(forbidden.received).toHaveLength(0);
    });

    it('answers 401 without a credential and 403 to a Viewer on every mutation', async () => {
      const id = (
        await as()
          .post('/notification-channels', { name: 'Guarded', type: 'slack', config: { channel_id: 'C0GUARDED1' } })
          .expect(201)
      ).body.id;
      await api(t).get('/notification-channels').expect(401);
      await api(t)
        .post('/notification-channels', { name: 'x', type: 'slack', config: { channel_id: 'C0ANON0001' } })
        .expect(401);
      await api(t).get(`/notification-channels/${id}/health`).expect(401);
      await api(t).get('/notification-failures').expect(401);
      const before = await channelCount();
      await api(t, viewer)
        .post('/notification-channels', { name: 'x', type: 'slack', config: { channel_id: 'C0VIEWER01' } })
        .expect(403);
      await api(t, viewer).put(`/notification-channels/${id}`, { name: 'Viewer was here' }).expect(403);
      await api(t, viewer).delete(`/notification-channels/${id}`).expect(403);
      expect(await channelCount()).toBe(before);
      expect((await as().get(`/notification-channels/${id}/health`).expect(200)).body).toEqual({
        delivered_24h: 0,
        failed_24h: 0,
        last_failure_at: null,
        last_error: null,
        status: 'gray',
      });
      // another organization's admin: 404 on every by-id route, nothing changed
      await api(t, b.admin).put(`/notification-channels/${id}`, { name: 'Taken' }).expect(404);
      await api(t, b.admin).delete(`/notification-channels/${id}`).expect(404);
      await api(t, b.admin).get(`/notification-channels/${id}/health`).expect(404);
      await as().get(`/notification-channels/not-a-uuid/health`).expect(404);
      expect((await as().get('/notification-channels').expect(200)).body.find((c: { id: string }) => c.id === id).name).toBe('Guarded');
    });
  });

  describe('delivery through the outbox (NF-2)', () => {
    it('delivers a 200 exactly once, even when the job is handed out again', async () => {
      const { ids } = await notify([{ kind: 'webhook', url: `${hook.base}/once` }]);
      const row = await settled(ids[0]);
      expect(row).toMatchObject({ status: 'delivered', attempts: 1, http_status: 200, last_error: null });
      // a redelivered job and a sweep find the row finished and send nothing
      await t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery)).add('notification.deliver', { delivery_id: ids[0] });
      await t.app.get(OutboxSweeper).requeueDue(0);
      await eventually(async () => {
        const c = await t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery)).getJobCounts();
        return c.waiting === 0 && c.active === 0;
      });
      const sent = hook.at('/once');
      expect(sent).toHaveLength(1);
      expect(sent[0].headers['x-kenbun-delivery-id']).toBe(ids[0]);
      expect(sent[0].body).toEqual({ type: 'surge', lead: { id: 'ld_notify' }, why: 'Why: 3 demo requests in 10 min' });
    });

    it('records a 400 as terminal_4xx after one attempt', async () => {
      const { ids } = await notify([{ kind: 'webhook', url: `${hook.base}/status/400` }]);
      expect(await settled(ids[0])).toMatchObject({ status: 'terminal_4xx', attempts: 1, http_status: 400, last_error: 'HTTP 400' });
      expect(hook.at('/status/400')).toHaveLength(1);
    });

    it('retries a 500 with backoff, then records retry_exhausted', async () => {
      const { ids } = await notify([{ kind: 'webhook', url: `${hook.base}/status/500` }]);
      expect(await settled(ids[0])).toMatchObject({ status: 'retry_exhausted', attempts: 5, http_status: 500, last_error: 'HTTP 500' });
      expect(hook.at('/status/500')).toHaveLength(5);
      const attempts = await ds.query(`SELECT attempted_at FROM notification_attempts WHERE delivery_id = $1 ORDER BY attempted_at`, [ids[0]]);
      expect(attempts).toHaveLength(5);
    });

    it('refuses a redirect to a private address at send time as terminal_4xx, and never contacts it', async () => {
      const to = encodeURIComponent(`${forbidden.base}/stolen`);
      const { ids } = await notify([{ kind: 'webhook', url: `${hook.base}/redirect?to=${to}` }]);
      const row = await settled(ids[0]);
      expect(row.status).toBe('terminal_4xx');
      expect(row.last_error).toMatch(/^destination not allowed: .*127\.0\.0\.2.*loopback/);
      expect(forbidden.received).toHaveLength(0);
    });

    it('sends e-mail through SMTP with the message before the lead details', async () => {
      const { ids } = await notify([{ kind: 'email', recipients: ['sales@example.com', 'ops@example.com'], subjectPrefix: '[kenbun]' }]);
      expect((await settled(ids[0])).status).toBe('delivered');
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0].to).toEqual(['sales@example.com', 'ops@example.com']);
      expect(smtp.mails[0].from).toBe('no-reply@kenbun.local');
      expect(smtp.mails[0].data).toContain('Subject: [kenbun] Hot lead');
      const text = smtp.mails[0].data.slice(smtp.mails[0].data.indexOf('\r\n\r\n'));
      expect(text.indexOf('Why: 3 demo requests')).toBeGreaterThan(-1);
      expect(text.indexOf('Why: 3 demo requests')).toBeLessThan(text.indexOf('ld_notify'));
    });

    it('a firing whose job never ran (a worker killed before delivery) is re-enqueued by the sweeper and delivered once', async () => {
      const queue = t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery));
      await queue.pause(true); // this process's worker stops taking jobs: the firing commits, its job waits
      const { ids } = await notify([{ kind: 'webhook', url: `${hook.base}/after-crash` }]);
      await queue.empty(); // ...and the job is lost with the worker
      expect((await delivery(ids[0])).status).toBe('pending');
      await queue.resume(true);
      expect(await t.app.get(OutboxSweeper).requeueDue(0)).toBeGreaterThanOrEqual(1);
      await t.app.get(OutboxSweeper).requeueDue(0); // a second sweep before the first job ran: two jobs, one send
      expect((await settled(ids[0])).status).toBe('delivered');
      await eventually(async () => (await queue.getJobCounts()).waiting === 0 && (await queue.getJobCounts()).active === 0);
      expect(hook.at('/after-crash')).toHaveLength(1);
    });

    it('a notification the queue did not take (enqueue_failed) goes at the next sweep, and as soon as Redis is back', async () => {
      const queue = t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery));
      const sweeper = t.app.get(OutboxSweeper);
      const delivered = (id: string) => eventually(async () => ((await delivery(id)).status === 'delivered' ? delivery(id) : null));
      /** a firing whose job the queue never got, as DeliveryOutbox records it when Redis does not answer */
      const unqueued = async (path: string) => {
        await queue.pause(true);
        const { ids } = await notify([{ kind: 'webhook', url: `${hook.base}/${path}` }]);
        await queue.empty();
        await ds.query(`UPDATE notification_deliveries SET status = 'enqueue_failed', failure_stage = 'enqueue' WHERE id = $1`, [ids[0]]);
        await queue.resume(true);
        return ids[0];
      };
      // the minute sweep: no grace period for it (a pending row just written still waits for its own job)
      const first = await unqueued('unqueued-1');
      const fresh = (await notify([{ kind: 'webhook', url: `${hook.base}/fresh` }])).ids[0];
      expect(await sweeper.requeueDue(60_000)).toBe(1);
      expect(await delivered(first)).toMatchObject({ attempts: 1 });
      expect(await delivered(fresh)).toMatchObject({ attempts: 1 });
      // the queue's connection lost and back: sent at once, without a sweep
      const second = await unqueued('unqueued-2');
      queue.client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
      queue.client.emit('ready');
      expect(await delivered(second)).toMatchObject({ attempts: 1 });
      expect(hook.at('/unqueued-1')).toHaveLength(1);
      expect(hook.at('/unqueued-2')).toHaveLength(1);
      expect(hook.at('/fresh')).toHaveLength(1);
    });

    it('writes nothing twice for a replayed firing (one row per firing and destination)', async () => {
      const sourceId = randomUUID();
      const write = () =>
        ds.transaction((m) =>
          t.app.get(DeliveryOutbox).enqueue(m, {
            org_id: a.orgId,
            unit_id: a.unitId,
            trigger_type: 'surge',
            trigger_id: 'srg_replay',
            source_id: sourceId,
            destinations: [{ kind: 'webhook', url: `${hook.base}/replay` }],
            message: { title: 't', why: 'w', body: {} },
            at: t.clock.now(),
          }),
        );
      expect(await write()).toHaveLength(1);
      expect(await write()).toEqual([]);
      await eventually(async () => hook.at('/replay').length === 1);
      expect((await ds.query(`SELECT count(*)::int AS n FROM notification_deliveries WHERE source_id = $1`, [sourceId]))[0].n).toBe(1);
    });

    it('a job that starts while the firing is still being written waits for the commit, then delivers without an error retry', async () => {
      const queue = t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery));
      const failures: string[] = [];
      const outcomes: string[] = [];
      const onFailed = (_job: unknown, err: Error) => failures.push(err.message);
      const onCompleted = (_job: unknown, result: { outcome?: string }) => outcomes.push(result?.outcome ?? '');
      queue.on('failed', onFailed);
      queue.on('completed', onCompleted);
      try {
        let ids: string[] = [];
        await ds.transaction(async (m) => {
          ids = await t.app.get(DeliveryOutbox).enqueue(m, {
            org_id: a.orgId,
            unit_id: a.unitId,
            trigger_type: 'surge',
            trigger_id: 'srg_slow_writer',
            source_id: randomUUID(),
            destinations: [{ kind: 'webhook', url: `${hook.base}/slow-writer` }],
            message: { title: 't', why: 'w', body: { slow: true } },
            at: t.clock.now(),
          });
          // the job is taken while this transaction is open: it must find the writer busy and come back
          await eventually(async () => outcomes.includes('writer_busy') || failures.length > 0);
        });
        expect((await settled(ids[0])).status).toBe('delivered');
        // the job's 'completed' event comes after the row is recorded (Bull moves the job over in Redis first)
        await eventually(async () => outcomes.includes('delivered'));
        expect(hook.at('/slow-writer')).toHaveLength(1);
        expect(failures).toEqual([]);
        expect(outcomes).toContain('delivered');
      } finally {
        queue.off('failed', onFailed);
        queue.off('completed', onCompleted);
      }
    });

    it('a firing rolled back after its job was queued sends nothing: the job finds the row gone', async () => {
      const queue = t.app.get<Queue>(getQueueToken(QueueName.NotificationDelivery));
      const outcomes: string[] = [];
      const onCompleted = (_job: unknown, result: { outcome?: string }) => outcomes.push(result?.outcome ?? '');
      queue.on('completed', onCompleted);
      try {
        let ids: string[] = [];
        await ds
          .transaction(async (m) => {
            ids = await t.app.get(DeliveryOutbox).enqueue(m, {
              org_id: a.orgId,
              unit_id: a.unitId,
              trigger_type: 'surge',
              trigger_id: 'srg_rolled_back',
              source_id: randomUUID(),
              destinations: [{ kind: 'webhook', url: `${hook.base}/rolled-back` }],
              message: { title: 't', why: 'w', body: {} },
              at: t.clock.now(),
            });
            throw new Error('the firing fails after its notification was queued');
          })
          .catch(() => undefined);
        expect(ids).toHaveLength(1);
        await eventually(async () => outcomes.includes('gone'));
        expect(await delivery(ids[0])).toBeUndefined();
        expect(hook.at('/rolled-back')).toEqual([]);
      } finally {
        queue.off('completed', onCompleted);
      }
    });

    it('writes a batch of firings in a constant number of statements, each delivered once, a foreign channel skipped', async () => {
      const channel = (
        await as()
          .post('/notification-channels', { name: 'Batch hook', type: 'webhook', config: { url: `${hook.base}/batch-channel` } })
          .expect(201)
      ).body;
      const foreign = (
        await api(t, b.admin)
          .post('/notification-channels', { name: 'Rival hook', type: 'webhook', config: { url: `${hook.base}/batch-foreign` } })
          .expect(201)
      ).body;
      const firings = Array.from({ length: 40 }, (_, i) => ({
        org_id: a.orgId,
        unit_id: a.unitId,
        trigger_type: 'milestone' as const,
        trigger_id: 'trg_batch',
        source_id: randomUUID(),
        lead_id: `ld_batch_${i}`,
        destinations: [
          { kind: 'webhook', url: `${hook.base}/batch-inline` },
          { kind: 'channel', channelId: channel.id },
          { kind: 'channel', channelId: foreign.id },
        ] satisfies DeliveryDestination[],
        message: { title: `batch ${i}`, why: 'w', body: { n: i } },
        at: t.clock.now(),
      }));
      let statements = 0;
      const write = () =>
        ds.transaction((m) => {
          const query = m.query.bind(m);
          m.query = ((...args: Parameters<typeof m.query>) => (statements++, query(...args))) as typeof m.query;
          return t.app.get(DeliveryOutbox).enqueueMany(m, firings);
        });
      const ids = await write();
      expect(ids).toHaveLength(80);
      // channels read, rows written, locks taken: three statements for 40 firings × 2 destinations
      expect(statements).toBe(3);
      // replayed: nothing new, nothing queued
      statements = 0;
      expect(await write()).toEqual([]);
      expect(statements).toBe(2);
      await eventually(async () => hook.at('/batch-inline').length === 40 && hook.at('/batch-channel').length === 40);
      expect(new Set(hook.at('/batch-inline').map((r) => r.body.n)).size).toBe(40);
      expect(hook.at('/batch-foreign')).toHaveLength(0);
      // the posts arrive before their attempts are recorded
      const rows = await eventually(async () => {
        const r = await ds.query(`SELECT status, count(*)::int AS n FROM notification_deliveries WHERE trigger_id = 'trg_batch' GROUP BY status`);
        return !r.some((x: { status: string }) => x.status === 'pending') && r;
      });
      expect(rows).toEqual([{ status: 'delivered', n: 80 }]);
    });

    it('claims a batch through the primary key, never through every due row, however many are pending', async () => {
      // a backlog the statistics have not seen yet (written after the last ANALYZE, as after an outage or a burst):
      // the claim once hashed every due row of the partial due index for each batch of 50
      const pending = Array.from({ length: 20_000 }, () => randomUUID());
      await ds.query(
        `INSERT INTO notification_deliveries (id, org_id, unit_id, dedupe_key, trigger_type, trigger_id, source_id, kind, target, payload, failure_stage,
                                              next_attempt_at, created_at, last_attempt_at)
         SELECT id, 'org_backlog', 'unit_backlog', 'backlog:' || id, 'surge', 'srg_backlog', id::text, 'webhook', '{}'::jsonb, '{}'::jsonb, 'dispatch',
                now() + interval '1 hour', now(), now()
           FROM unnest($1::uuid[]) AS id`,
        [pending],
      );
      try {
        // a job's 50 rows, and the most a group-committed claim asks for at once (200)
        for (const size of [50, 200]) {
          const batch = pending.slice(0, size);
          const { text, values } = claimStatement(
            batch,
            batch.map((_, i) => `job-${i % 4}`),
            60_000,
          ).compile();
          const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (FORMAT JSON) ${text}`, values);
          const scans = JSON.stringify(plan);
          expect(scans).toContain('notification_deliveries_pkey');
          expect(scans).not.toContain('notification_deliveries_due_idx');
          expect(scans).not.toContain('Seq Scan');
          // one index probe per id asked for (a nested loop over the ids), never the rows read by the array and each
          // compared with every id asked for (seen at 200: 39,800 pairs dropped by the join filter, 8.1 ms against 2.3 ms)
          expect(scans).toContain('"Index Cond":"(id = c.id)"');
          // and it claims only what is due: these rows are an hour away
          expect((await ds.query(text, values))[0]).toEqual([]);
        }
      } finally {
        await ds.query(`DELETE FROM notification_deliveries WHERE org_id = 'org_backlog'`);
      }
    });
  });

  describe('surge triggers on the outbox', () => {
    const leadRef = 'lr_notify';
    let version = 0;
    const record = async (type: string, at: Date) => {
      const payload: LeadEventRecordedPayload = {
        lead_id: 'ld_surging',
        event_id: randomUUID(),
        client_event_id: null,
        event_type: type,
        event_type_key: canonicalEventType(type),
        occurred_at: at.toISOString(),
        received_at: at.toISOString(),
        metadata: { page: '/pricing' },
        channel: 'web',
        suppression: null,
        filter_id: null,
        contributions: [],
        source: 'api',
        skip_triggers: false,
        scope: 'activate',
      };
      await t.app.get(EventStore).append(leadRef, 'lead', version === 0 ? 'no_stream' : version, [{ type: LeadEvent.EventRecorded, payload, occurredAt: at }], {
        org_id: a.orgId,
        unit_id: a.unitId,
      });
      version++;
    };

    it('refuses private webhook and Teams destinations on create and update with 400, and writes nothing', async () => {
      const count = async () => (await ds.query(`SELECT count(*)::int AS n FROM surge_triggers`))[0].n;
      const before = await count();
      for (const [field, url] of [
        ['webhook_url', 'http://10.0.0.1/hook'],
        ['webhook_url', 'https://10.0.0.1/hook'],
        ['teams_webhook_url', 'https://192.168.1.1/teams'],
        ['webhook_url', `${forbidden.base}/hook`],
      ]) {
        const res = await as()
          .post('/surge-triggers', { window_seconds: 60, threshold_count: 2, [field]: url })
          .expect(400);
        expect(res.body).toMatchObject({ error: 'destination_not_allowed', details: [{ field }] });
      }
      expect(await count()).toBe(before);
      const draft = (await as().post('/surge-triggers', { window_seconds: 60, threshold_count: 2, active: false }).expect(201)).body;
      const res = await as().put(`/surge-triggers/${draft.trigger_id}`, { teams_webhook_url: 'https://192.168.1.1/teams' }).expect(400);
      expect(res.body.details[0].field).toBe('teams_webhook_url');
      expect((await ds.query(`SELECT teams_webhook_url FROM surge_triggers WHERE id = $1`, [draft.trigger_id]))[0].teams_webhook_url).toBeNull();
      expect(forbidden.received).toHaveLength(0);
    });

    it('accepts a notification_channel_id of the active OU only', async () => {
      const theirs = (
        await api(t, b.admin)
          .post('/notification-channels', { name: 'B hook', type: 'webhook', config: { url: 'https://hooks.example.com/b' } })
          .expect(201)
      ).body.id;
      const res = await as().post('/surge-triggers', { window_seconds: 60, threshold_count: 2, notification_channel_id: theirs }).expect(400);
      expect(res.body).toMatchObject({ error: 'unknown_notification_channel', details: [{ field: 'notification_channel_id' }] });
      const missing = await as().post('/surge-triggers', { window_seconds: 60, threshold_count: 2, notification_channel_id: randomUUID() }).expect(400);
      expect(missing.body.error).toBe('unknown_notification_channel');
    });

    it('delivers a surge firing to its channel through the outbox, with channel health, trigger health and the failures list', async () => {
      const good = (
        await as()
          .post('/notification-channels', {
            name: 'Surge hook',
            type: 'webhook',
            config: { url: `${hook.base}/surge-channel`, auth_header: 'Bearer surge-ch-1' },
          })
          .expect(201)
      ).body;
      const bad = (
        await as()
          .post('/notification-channels', { name: 'Broken', type: 'webhook', config: { url: `${hook.base}/status/404` } })
          .expect(201)
      ).body;
      const ok = (
        await as()
          .post('/surge-triggers', {
            name: 'Pricing surge',
            event_type: 'Pricing View',
            window_seconds: 600,
            threshold_count: 2,
            notification_channel_id: good.id,
          })
          .expect(201)
      ).body;
      expect(ok).toMatchObject({ notification_channel_id: good.id, warnings: [] });
      const broken = (
        await as()
          .post('/surge-triggers', {
            name: 'Broken surge',
            event_type: 'Pricing View',
            window_seconds: 600,
            threshold_count: 2,
            notification_channel_id: bad.id,
          })
          .expect(201)
      ).body;
      const base = t.clock.now().getTime() + 60_000;
      await record('Pricing View', new Date(base));
      await record('Pricing View', new Date(base + 1000));
      const [sent] = await eventually(async () => (hook.at('/surge-channel').length ? hook.at('/surge-channel') : null));
      expect(sent.headers.authorization).toBe('Bearer surge-ch-1');
      expect(sent.body).toMatchObject({
        type: 'surge',
        trigger: { id: ok.trigger_id, name: 'Pricing surge', threshold_count: 2 },
        lead: { id: 'ld_surging' },
        event: { event_type: 'Pricing View', metadata: { page: '/pricing' } },
        surge: { event_count: 2 },
        why: 'Surging: 2 Pricing View events in 600 s',
      });
      await eventually(async () => (await as().get(`/notification-channels/${bad.id}/health`)).body.failed_24h === 1);
      // the post arrives before its attempt is recorded
      await eventually(async () => (await as().get(`/notification-channels/${good.id}/health`)).body.delivered_24h === 1);

      expect((await as().get(`/notification-channels/${good.id}/health`).expect(200)).body).toEqual({
        delivered_24h: 1,
        failed_24h: 0,
        last_failure_at: null,
        last_error: null,
        status: 'green',
      });
      expect((await as().get(`/notification-channels/${bad.id}/health`).expect(200)).body).toEqual({
        delivered_24h: 0,
        failed_24h: 1,
        last_failure_at: expect.any(String),
        last_error: 'HTTP 404',
        status: 'red',
      });
      expect((await as().get(`/surge-triggers/${ok.trigger_id}/health`).expect(200)).body).toMatchObject({ delivered_24h: 1, failed_24h: 0, status: 'green' });
      expect((await as().get(`/surge-triggers/${broken.trigger_id}/health`).expect(200)).body).toMatchObject({
        delivered_24h: 0,
        failed_24h: 1,
        status: 'red',
        recent_attempts: [{ destination: 'webhook', status: 'failed', http_status: 404, error: 'HTTP 404' }],
      });
      const failures = (await as().get(`/notification-failures?channel_id=${bad.id}`).expect(200)).body;
      expect(failures).toEqual({
        items: [
          {
            id: expect.any(String),
            channel_id: bad.id,
            trigger_id: broken.trigger_id,
            trigger_type: 'surge',
            source_id: expect.any(String),
            lead_id: 'ld_surging',
            destination: 'webhook',
            status: 'terminal_4xx',
            failure_stage: 'dispatch',
            attempts: 1,
            http_status: 404,
            last_error: 'HTTP 404',
            created_at: expect.any(String),
            last_attempt_at: expect.any(String),
          },
        ],
        total_count: 1,
        next_cursor: null,
      });
      const delivered = (await as().get(`/notification-failures?channel_id=${good.id}&status=delivered`).expect(200)).body;
      expect(delivered.items.map((i: { status: string; trigger_id: string }) => `${i.status}:${i.trigger_id}`)).toEqual([`delivered:${ok.trigger_id}`]);
      await as().put(`/surge-triggers/${ok.trigger_id}`, { active: false }).expect(204);
      await as().put(`/surge-triggers/${broken.trigger_id}`, { active: false }).expect(204);
    });
  });

  describe('notification failures (NF-1)', () => {
    it('pages with an opaque cursor, newest attempt first, and filters', async () => {
      const triggerId = 'srg_paging';
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { ids: written } = await notify([{ kind: 'webhook', url: `${hook.base}/status/410` }], { triggerId });
        ids.push(written[0]);
        await settled(written[0]);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { body: { items: { id: string; last_attempt_at: string }[]; next_cursor: string | null; total_count: number } } = await as()
          .get(`/notification-failures?trigger_id=${triggerId}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
          .expect(200);
        expect(page.body.total_count).toBe(5);
        seen.push(...page.body.items.map((i) => i.id));
        cursor = page.body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());

      const q = (s: string) => as().get(`/notification-failures?trigger_id=${triggerId}&${s}`);
      expect((await q('status=terminal_4xx').expect(200)).body.total_count).toBe(5);
      expect((await q('status=retry_exhausted,delivered').expect(200)).body.total_count).toBe(0);
      expect((await q('trigger_type=surge&failure_stage=dispatch').expect(200)).body.total_count).toBe(5);
      expect((await q('failure_stage=enqueue').expect(200)).body.total_count).toBe(0);
      expect((await q(`since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`).expect(200)).body.total_count).toBe(0);
      // older than 7 days: out of the default window
      await ds.query(`UPDATE notification_deliveries SET last_attempt_at = last_attempt_at - interval '8 days' WHERE id = $1`, [ids[0]]);
      expect((await q('').expect(200)).body.total_count).toBe(4);

      const bad = async (s: string) => (await as().get(`/notification-failures?${s}`).expect(400)).body.details[0].field;
      expect(await bad('limit=201')).toBe('limit');
      expect(await bad('limit=0')).toBe('limit');
      expect(await bad('status=failed')).toBe('status');
      expect(await bad('trigger_type=pattern')).toBe('trigger_type');
      expect(await bad('failure_stage=somewhere')).toBe('failure_stage');
      expect(await bad('since=yesterday')).toBe('since');
      expect(await bad('channel_id=abc')).toBe('channel_id');
      expect(await bad('cursor=not-a-cursor')).toBe('cursor');
      expect(await bad(`cursor=${Buffer.from(JSON.stringify({ t: 'x', id: 'y' })).toString('base64url')}`)).toBe('cursor');

      // another organization sees none of it
      expect((await api(t, b.admin).get(`/notification-failures?trigger_id=${triggerId}`).expect(200)).body).toEqual({
        items: [],
        total_count: 0,
        next_cursor: null,
      });
    });
  });

  describe('retention (notifications.prune)', () => {
    it('drops delivered rows after 30 days and given-up ones after 90, with their attempts (failed ones too); rows still to be sent stay', async () => {
      const DAY = 86_400_000;
      const started = t.clock.now();
      const sent = (await notify([{ kind: 'webhook', url: `${hook.base}/kept-30` }])).ids[0];
      const refused = (await notify([{ kind: 'webhook', url: `${hook.base}/status/400` }])).ids[0];
      const waiting = (await notify([{ kind: 'webhook', url: `${hook.base}/later` }])).ids[0];
      expect((await settled(sent)).status).toBe('delivered');
      expect((await settled(refused)).status).toBe('terminal_4xx');
      // `sent` had failed once before it was delivered: that failed attempt goes with it, not 60 days later
      await ds.query(
        `INSERT INTO notification_attempts (id, org_id, unit_id, delivery_id, trigger_type, trigger_id, channel_id, source_id, lead_ref, destination, status, http_status, error, attempted_at)
         SELECT $2::uuid, org_id, unit_id, id, trigger_type, trigger_id, channel_id, source_id, lead_ref, kind, 'failed', 503, 'HTTP 503', created_at
           FROM notification_deliveries WHERE id = $1`,
        [sent, uuidv7()],
      );
      // a row still to be sent (a retry due next year): never pruned, however old
      expect((await settled(waiting)).status).toBe('delivered');
      await ds.query(`UPDATE notification_deliveries SET status = 'pending', next_attempt_at = now() + interval '365 days' WHERE id = $1`, [waiting]);
      const rows = async () =>
        (await ds.query(`SELECT id FROM notification_deliveries WHERE id = ANY($1::uuid[]) ORDER BY id`, [[sent, refused, waiting]])).map(
          (r: { id: string }) => r.id,
        );
      const attempts = async (id: string) =>
        (await ds.query(`SELECT count(*)::int AS n FROM notification_attempts WHERE delivery_id = $1`, [id]))[0].n as number;
      /** what the rules match, counted without the job's key range: the job must delete exactly these */
      const expected = async (now: Date) => {
        const d = new Date(now.getTime() - 30 * DAY).toISOString();
        const g = new Date(now.getTime() - 90 * DAY).toISOString();
        const [x] = await ds.query(
          `SELECT (SELECT count(*) FROM notification_deliveries WHERE status = 'delivered' AND delivered_at < $1)::int AS delivered,
                  (SELECT count(*) FROM notification_deliveries WHERE status IN ('terminal_4xx', 'retry_exhausted') AND last_attempt_at < $2)::int AS given_up,
                  (SELECT count(*) FROM notification_attempts a WHERE (status = 'delivered' AND attempted_at < $1) OR (status = 'failed' AND attempted_at < $2)
                       OR (status = 'failed' AND attempted_at < $1 AND NOT EXISTS (SELECT 1 FROM notification_deliveries x
                             WHERE x.id = a.delivery_id AND NOT (x.status = 'delivered' AND x.delivered_at < $1))))::int AS attempts`,
          [d, g],
        );
        return x as { delivered: number; given_up: number; attempts: number };
      };
      const progress: [number, number | undefined][] = [];
      const run = () => t.app.get(OutboxRetentionJob).run({ trigger: 'manual', progress: (done, total) => progress.push([done, total]) });

      try {
        // 29 days on: nothing is old enough
        t.clock.advance(29 * DAY);
        expect(await run()).toMatchObject({ deliveries_delivered_deleted: 0, deliveries_given_up_deleted: 0, attempts_deleted: 0 });
        expect(await rows()).toEqual([sent, refused, waiting].sort());

        // 31 days on: the delivered ones go with their attempt; the refused one is kept for NF-1 and re-drives
        t.clock.advance(2 * DAY);
        let want = await expected(t.clock.now());
        expect(want.delivered).toBeGreaterThanOrEqual(1);
        expect(await run()).toMatchObject({ deliveries_delivered_deleted: want.delivered, deliveries_given_up_deleted: 0, attempts_deleted: want.attempts });
        expect(await rows()).toEqual([refused, waiting].sort());
        expect(want.attempts).toBeGreaterThanOrEqual(2);
        expect(await attempts(sent)).toBe(0);
        expect(await attempts(refused)).toBe(1);
        expect(await attempts(waiting)).toBe(0);
        expect(progress.at(-1)).toEqual([want.delivered + want.attempts, want.delivered + want.attempts]);
        expect(
          (
            await as()
              .get(`/notification-failures?since=${encodeURIComponent(started.toISOString())}`)
              .expect(200)
          ).body.items.map((i: { id: string }) => i.id),
        ).toContain(refused);

        // 91 days on: the refused one and its failed attempt go too; the waiting row stays
        t.clock.advance(60 * DAY);
        want = await expected(t.clock.now());
        expect(want.given_up).toBeGreaterThanOrEqual(1);
        expect(await run()).toMatchObject({
          deliveries_delivered_deleted: want.delivered,
          deliveries_given_up_deleted: want.given_up,
          attempts_deleted: want.attempts,
        });
        expect(await rows()).toEqual([waiting]);
        expect(await attempts(refused)).toBe(0);
        expect(await expected(t.clock.now())).toEqual({ delivered: 0, given_up: 0, attempts: 0 });
      } finally {
        t.clock.set(started);
      }
    });
  });
});
