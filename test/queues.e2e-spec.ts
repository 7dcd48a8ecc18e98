import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Injectable, Module } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import request from 'supertest';
import { QueueService } from '../src/platform/queues/queue.service';
import { QueuesModule } from '../src/platform/queues/queues.module';
import { eventually, startTestApp, TestApp } from './support/test-app';

const FLAKY = 'selftest-flaky';

/** A consumer that fails while `failing` is set, to exercise retries, the failed set and re-drive. */
@Processor(FLAKY)
@Injectable()
class FlakyConsumer {
  failing = true;
  attempts = new Map<string, number>();
  done: string[] = [];

  @Process()
  async handle(job: Job<{ key: string }>): Promise<void> {
    this.attempts.set(job.data.key, (this.attempts.get(job.data.key) ?? 0) + 1);
    if (this.failing) throw new Error(`downstream refused ${job.data.key}`);
    this.done.push(job.data.key);
  }
}

@Injectable()
class FlakyProducer {
  constructor(@InjectQueue(FLAKY) readonly queue: Queue) {}
}

@Module({ imports: [QueuesModule.forFeature(FLAKY)], providers: [FlakyConsumer, FlakyProducer] })
class FlakyModule {}

describe('Queues', () => {
  let t: TestApp;
  const ops = 'Basic ' + Buffer.from('admin:ops-secret').toString('base64');

  beforeAll(async () => {
    t = await startTestApp({ roles: ['api', 'worker'], imports: [FlakyModule], env: { QUEUE_DASHBOARD_PASSWORD: 'ops-secret' } });
  });
  afterAll(() => t.close());

  it('retries with backoff, keeps the failed job, and re-drives it on request', async () => {
    const consumer = t.app.get(FlakyConsumer);
    const queue = t.app.get(FlakyProducer).queue;
    const job = await queue.add({ key: 'a' }, { attempts: 3, backoff: { type: 'exponential', delay: 50 } });
    await eventually(async () => (await job.isFailed()) || (await queue.getJob(job.id!))?.failedReason);
    await eventually(async () => (await queue.getJob(job.id!).then((j) => j?.isFailed())) === true);
    expect(consumer.attempts.get('a')).toBe(3);
    const failedJob = await queue.getJob(job.id!);
    const times = [failedJob!.processedOn!, failedJob!.finishedOn!];
    expect(times[1]).toBeGreaterThanOrEqual(times[0]);

    const stats = await request(t.http).get('/admin/queue-stats').set('Authorization', ops);
    expect(stats.status).toBe(200);
    expect(stats.body.queues.find((q: { name: string }) => q.name === FLAKY)).toMatchObject({ failed: 1 });

    const failed = await request(t.http).get(`/admin/queue-stats/${FLAKY}/failed`).set('Authorization', ops);
    expect(failed.body.jobs).toEqual([
      expect.objectContaining({ id: String(job.id), attempts_made: 3, failed_reason: 'downstream refused a', data: { key: 'a' } }),
    ]);

    consumer.failing = false;
    const retried = await request(t.http).post(`/admin/queue-stats/${FLAKY}/failed/retry`).set('Authorization', ops).send({});
    expect(retried.body).toEqual({ retried: 1 });
    await eventually(async () => consumer.done.includes('a'));
    expect((await t.app.get(QueueService).stats()).find((q) => q.name === FLAKY)).toMatchObject({ failed: 0 });
  });

  it('uses the platform default: five attempts with exponential backoff, failed jobs kept', async () => {
    const queue = t.app.get(FlakyProducer).queue;
    // delayed, so the live consumer cannot take (and lock) it before it is inspected and removed
    const job = await queue.add({ key: 'defaults' }, { delay: 60_000 });
    expect(job.opts.attempts).toBe(5);
    expect(job.opts.backoff).toEqual({ type: 'exponential', delay: 1000 });
    expect(job.opts.removeOnFail).toBe(false);
    await job.remove();
  });

  it('exposes queue depth in /metrics', async () => {
    const queue = t.app.get(FlakyProducer).queue;
    await queue.pause(true);
    await queue.add({ key: 'waiting-1' });
    await queue.add({ key: 'waiting-2' }, { delay: 60_000 });
    const metrics = await request(t.http).get('/metrics');
    expect(metrics.text).toMatch(new RegExp(`queue_depth\\{queue="${FLAKY}"\\} 2`));
    await queue.resume(true);
  });

  it('answers 404 for an unknown queue and 401 without the operations credential', async () => {
    expect((await request(t.http).get('/admin/queue-stats/nope/failed').set('Authorization', ops)).status).toBe(404);
    expect((await request(t.http).get('/admin/queue-stats')).status).toBe(401);
  });

  it('rebuilds a projection as a queued job with progress', async () => {
    const res = await request(t.http).post('/admin/projections/stream_summaries/rebuild').set('Authorization', ops);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'queued', job_id: expect.any(String) });
    const queue = t.app.get(QueueService).queue('maintenance');
    const job = await eventually(async () => {
      const j = await queue.getJob(res.body.job_id);
      return j && (await j.isCompleted()) ? j : undefined;
    });
    expect(job.progress()).toBe(100);
    const list = await request(t.http).get('/admin/projections').set('Authorization', ops);
    expect(list.body.projections).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'stream_summaries', lag: 0 })]));
    expect((await request(t.http).post('/admin/projections/nope/rebuild').set('Authorization', ops)).status).toBe(404);
  });
});
