import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, Module } from '@nestjs/common';
import type { Queue } from 'bull';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DeliveryOutbox } from '../src/modules/notifications';
import { EventStore } from '../src/platform/event-store/event-store.service';
import { ProjectionRunner } from '../src/platform/projections/projection-runner.service';
import { QueuesModule } from '../src/platform/queues/queues.module';
import { eventually, startTestApp, TestApp } from './support/test-app';

const DOOMED = 'selftest-doomed';

/** A consumer whose downstream always refuses: every job it takes ends in the failed set once its attempts run out. */
@Processor(DOOMED)
@Injectable()
class DoomedConsumer {
  refusing = true;

  @Process()
  async handle(): Promise<void> {
    if (this.refusing) throw new Error('downstream refused');
  }
}

@Injectable()
class DoomedProducer {
  constructor(@InjectQueue(DOOMED) readonly queue: Queue) {}
}

@Module({ imports: [QueuesModule.forFeature(DOOMED)], providers: [DoomedConsumer, DoomedProducer] })
class DoomedModule {}

/** One sample of /metrics, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${wanted}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/**
 * The operator's view in /metrics, driven by real behaviour: a worker whose projection runner stopped (lag grows with
 * every append, its age with time) and started again (back to 0); a Bull job that exhausted its attempts; outbox
 * rows the delivery job gave up on (a 400 and a 500 from a real receiver).
 */
describe('Operator metrics', () => {
  let t: TestApp;
  let receiver: Server;
  let base: string;
  /** the destinations are fixed: every path answers 200 */
  let fixed = false;
  /** delivery ids (X-Kenbun-Delivery-Id) the receiver answered 200 */
  const delivered: string[] = [];
  const ops = 'Basic ' + Buffer.from('admin:ops-secret').toString('base64');
  const metrics = async () => (await request(t.http).get('/metrics').expect(200)).text;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const status = fixed ? 200 : Number(/^\/status\/(\d{3})/.exec(req.url ?? '')?.[1] ?? 200);
        if (status === 200) delivered.push(String(req.headers['x-kenbun-delivery-id']));
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    t = await startTestApp({
      roles: ['api', 'worker'],
      imports: [DoomedModule],
      env: { NOTIFICATION_MAX_ATTEMPTS: 2, QUEUE_DASHBOARD_PASSWORD: 'ops-secret' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it('projection lag grows while the runner is stopped and returns to 0 once it catches up', async () => {
    const runner = t.app.get(ProjectionRunner);
    await eventually(async () => sample(await metrics(), 'projection_lag_events', { projection: 'stream_summaries' }) === 0);
    expect(sample(await metrics(), 'projection_lag_seconds', { projection: 'stream_summaries' })).toBe(0);

    await runner.stop();
    const store = t.app.get(EventStore);
    for (let i = 0; i < 3; i++) {
      await store.append(`probe-${randomUUID()}`, 'operator_probe', 'any', [{ eventId: randomUUID(), type: 'OperatorProbed', payload: { i } }]);
    }
    // (refreshed at most once a second: the scrape may first show the last count)
    await eventually(async () => sample(await metrics(), 'projection_lag_events', { projection: 'stream_summaries' }) === 3, 5000);
    // the oldest unapplied event ages on PostgreSQL's clock (which stamped recorded_at)
    await eventually(async () => sample(await metrics(), 'projection_lag_seconds', { projection: 'stream_summaries' })! >= 1, 5000);

    runner.start();
    await eventually(async () => sample(await metrics(), 'projection_lag_events', { projection: 'stream_summaries' }) === 0);
    expect(sample(await metrics(), 'projection_lag_seconds', { projection: 'stream_summaries' })).toBe(0);
  });

  it('dead_letter_jobs counts a job that exhausted its attempts, per queue', async () => {
    expect(sample(await metrics(), 'dead_letter_jobs', { queue: DOOMED })).toBe(0);
    const queue = t.app.get(DoomedProducer).queue;
    const job = await queue.add({ key: 'doomed' }, { attempts: 2, backoff: { type: 'fixed', delay: 20 } });
    await eventually(async () => (await queue.getJob(job.id!))?.isFailed());
    expect((await queue.getJob(job.id!))!.attemptsMade).toBe(2);
    const text = await metrics();
    expect(sample(text, 'dead_letter_jobs', { queue: DOOMED })).toBe(1);
    expect(sample(text, 'dead_letter_jobs', { queue: 'ingest' })).toBe(0);

    // the downstream is back: a re-drive takes it out of the dead letters
    t.app.get(DoomedConsumer).refusing = false;
    await (await queue.getJob(job.id!))!.retry();
    await eventually(async () => (await queue.getJob(job.id!))?.isCompleted());
    expect(sample(await metrics(), 'dead_letter_jobs', { queue: DOOMED })).toBe(0);
  });

  it('notification_dead_letters counts outbox rows given up: a 4xx at once, a 5xx after its attempts', async () => {
    const text0 = await metrics();
    expect(sample(text0, 'notification_dead_letters', { status: 'terminal_4xx' })).toBe(0);
    expect(sample(text0, 'notification_dead_letters', { status: 'retry_exhausted' })).toBe(0);

    const ds = t.app.get(DataSource);
    const notify = (path: string) =>
      ds.transaction((m) =>
        t.app.get(DeliveryOutbox).enqueue(m, {
          org_id: 'org_ops',
          unit_id: 'ou_ops',
          trigger_type: 'surge',
          trigger_id: 'srg_ops',
          source_id: randomUUID(),
          destinations: [{ kind: 'webhook', url: `${base}${path}` }],
          message: { title: 'Hot lead', why: 'Why: probe', body: { type: 'surge' } },
          at: t.clock.now(),
        }),
      );
    const [refused] = await notify('/status/400');
    const [failing] = await notify('/status/500');
    const statusOf = async (id: string) => (await ds.query(`SELECT status FROM notification_deliveries WHERE id = $1`, [id]))[0]?.status;
    await eventually(async () => (await statusOf(refused)) === 'terminal_4xx' && (await statusOf(failing)) === 'retry_exhausted');

    const text = await metrics();
    expect(sample(text, 'notification_dead_letters', { status: 'terminal_4xx' })).toBe(1);
    expect(sample(text, 'notification_dead_letters', { status: 'retry_exhausted' })).toBe(1);

    // POST /admin/notification-deliveries/retry: operations credentials, a validated body, nothing touched on a 4xx
    const retry = (body: unknown, auth = ops) =>
      request(t.http)
        .post('/admin/notification-deliveries/retry')
        .set('Authorization', auth)
        .send(body as object);
    expect((await request(t.http).post('/admin/notification-deliveries/retry').send({})).status).toBe(401);
    expect((await retry({}, 'Basic ' + Buffer.from('admin:wrong').toString('base64'))).status).toBe(401);
    const bad = await retry({ delivery_ids: ['not-a-uuid'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('delivery_ids');
    expect((await retry({ status: ['delivered'] })).body.message).toContain('status');
    expect((await retry({ limit: 0 })).status).toBe(400);
    expect(await statusOf(refused)).toBe('terminal_4xx');

    // the destination is fixed: the refused row is sent again under its own delivery id, the other stays given up
    fixed = true;
    const one = await retry({ delivery_ids: [refused] });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ retried: 1, delivery_ids: [refused] });
    await eventually(async () => (await statusOf(refused)) === 'delivered');
    expect(delivered).toEqual([refused]);
    expect(await statusOf(failing)).toBe('retry_exhausted');
    const after = await metrics();
    expect(sample(after, 'notification_dead_letters', { status: 'terminal_4xx' })).toBe(0);
    expect(sample(after, 'notification_dead_letters', { status: 'retry_exhausted' })).toBe(1);

    // without ids: every given-up row (here the one left); a delivered row is never sent again
    const all = await retry({});
    expect(all.body).toEqual({ retried: 1, delivery_ids: [failing] });
    await eventually(async () => (await statusOf(failing)) === 'delivered');
    expect((await retry({ delivery_ids: [refused, failing] })).body).toEqual({ retried: 0, delivery_ids: [] });
    expect(delivered.sort()).toEqual([refused, failing].sort());
    expect(sample(await metrics(), 'notification_dead_letters', { status: 'retry_exhausted' })).toBe(0);
    const [attempts] = await ds.query(`SELECT count(*)::int AS n FROM notification_attempts WHERE delivery_id = ANY($1::uuid[])`, [[refused, failing]]);
    expect(attempts.n).toBe(1 + 2 + 2); // the history is kept: 400, 500 ×2, then one success each
  });
});
