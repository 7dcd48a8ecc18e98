import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClusterScheduler } from '../src/platform/scheduling/cluster-scheduler.service';
import { JobContext, ScheduledJob } from '../src/platform/scheduling/scheduled-job.decorator';
import { runCli } from './support/server-process';
import { eventually, startTestApp, TestApp } from './support/test-app';

/** Jobs whose behaviour the test controls: one that counts, one that waits for a release, one that fails. */
@Injectable()
class SelftestJobs {
  counted = 0;
  slowRuns = 0;
  release?: () => void;

  @ScheduledJob({ name: 'selftest.count', cron: '0 3 * * *' })
  async count(ctx: JobContext): Promise<{ counted: number }> {
    for (let i = 1; i <= 5; i++) ctx.progress(i, 5);
    this.counted += 5;
    return { counted: 5 };
  }

  @ScheduledJob({ name: 'selftest.slow', cron: '0 4 * * *' })
  async slow(): Promise<{ waited: boolean }> {
    this.slowRuns++;
    await new Promise<void>((resolve) => (this.release = resolve));
    this.release = undefined;
    return { waited: true };
  }

  @ScheduledJob({ name: 'selftest.broken', cron: '0 5 * * *' })
  async broken(): Promise<void> {
    throw new Error('the downstream store refused the batch');
  }
}

/** The CLI against the test app's database and queues. */
const cli = (t: TestApp, args: string[]) =>
  runCli({ DATABASE_URL: t.config.env.DATABASE_URL, REDIS_URL: t.config.env.REDIS_URL, QUEUE_PREFIX: t.config.env.QUEUE_PREFIX }, args);

describe('Scheduled jobs an operator runs (contracts §1)', () => {
  let t: TestApp;
  let ds: DataSource;
  let jobs: SelftestJobs;
  const ops = 'Basic ' + Buffer.from('admin:ops-secret').toString('base64');

  beforeAll(async () => {
    t = await startTestApp({
      roles: ['api', 'worker'],
      providers: [SelftestJobs],
      env: { QUEUE_DASHBOARD_PASSWORD: 'ops-secret', SCHEDULER_ENABLED: false, SCHEDULED_JOB_RUN_WAIT_MS: 1500 },
    });
    ds = t.app.get(DataSource);
    jobs = t.app.get(SelftestJobs);
  });
  afterAll(async () => {
    jobs?.release?.();
    await t?.close();
  });

  it('needs the operations credential', async () => {
    expect((await request(t.http).get('/admin/scheduled-jobs')).status).toBe(401);
    const wrong = 'Basic ' + Buffer.from('admin:nope').toString('base64');
    expect((await request(t.http).post('/admin/scheduled-jobs/selftest.count/run').set('Authorization', wrong)).status).toBe(401);
    expect(jobs.counted).toBe(0);
  });

  it('lists every job with its schedule and next tick', async () => {
    const res = await request(t.http).get('/admin/scheduled-jobs').set('Authorization', ops);
    expect(res.status).toBe(200);
    const names = res.body.map((j: { name: string }) => j.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(
      expect.arrayContaining(['scores.refresh-decaying', 'maintenance.prune-job-runs', 'lead-import.purge-files', 'notifications.prune', 'selftest.count']),
    );
    const refresh = res.body.find((j: { name: string }) => j.name === 'scores.refresh-decaying');
    expect(refresh).toEqual({ name: 'scores.refresh-decaying', cron: '7 * * * *', last_run_at: null, last_status: null, next_run_at: expect.any(String) });
    const next = new Date(refresh.next_run_at);
    expect(next.getUTCMinutes()).toBe(7);
    expect(next.getUTCSeconds()).toBe(0);
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  it('runs a job now and answers its result; the run is recorded as manual', async () => {
    const res = await request(t.http).post('/admin/scheduled-jobs/selftest.count/run').set('Authorization', ops);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'selftest.count',
      run_id: expect.stringMatching(/^\d+$/),
      status: 'succeeded',
      started_at: expect.any(String),
      finished_at: expect.any(String),
      result: { counted: 5 },
      error: null,
      progress_done: 5,
      progress_total: 5,
    });
    expect(jobs.counted).toBe(5);
    const [row] = await ds.query(`SELECT trigger, requested_by, status, worker FROM scheduled_job_runs WHERE id = $1`, [res.body.run_id]);
    expect(row).toEqual({ trigger: 'manual', requested_by: 'ops-api', status: 'succeeded', worker: expect.any(String) });

    const list = await request(t.http).get('/admin/scheduled-jobs').set('Authorization', ops);
    expect(list.body.find((j: { name: string }) => j.name === 'selftest.count')).toMatchObject({ last_status: 'succeeded', last_run_at: res.body.started_at });
  });

  it('answers 404 for a name no job declares, and queues nothing', async () => {
    const before = Number((await ds.query(`SELECT count(*) AS n FROM scheduled_job_runs`))[0].n);
    const res = await request(t.http).post('/admin/scheduled-jobs/decay.nope/run').set('Authorization', ops);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('scheduled_job_not_found');
    expect(Number((await ds.query(`SELECT count(*) AS n FROM scheduled_job_runs`))[0].n)).toBe(before);
  });

  it('reports a failing job as failed with its error', async () => {
    const res = await request(t.http).post('/admin/scheduled-jobs/selftest.broken/run').set('Authorization', ops);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', result: null, error: 'Error: the downstream store refused the batch' });
  });

  it('closes runs a dead worker left running when the job next runs, and only those', async () => {
    // a worker killed mid-run (or one that lost PostgreSQL as it recorded the end) leaves its run `running`
    const [dead] = await ds.query(
      `INSERT INTO scheduled_job_runs (job_name, tick_at, worker, status, trigger, started_at)
       VALUES ('selftest.count', '2030-01-01T03:00:00Z', 'worker-killed', 'running', 'cron', now() - interval '2 hours') RETURNING id::text AS id`,
    );
    // one claimed a moment ago by a worker that has not tried the lock yet is not touched
    const [fresh] = await ds.query(
      `INSERT INTO scheduled_job_runs (job_name, tick_at, worker, status, trigger) VALUES ('selftest.count', '2030-01-02T03:00:00Z', 'worker-b', 'running', 'cron') RETURNING id::text AS id`,
    );
    const res = await request(t.http).post('/admin/scheduled-jobs/selftest.count/run').set('Authorization', ops);
    expect(res.body.status).toBe('succeeded');
    const rows = await ds.query(
      `SELECT id::text AS id, status, error, finished_at IS NOT NULL AS finished FROM scheduled_job_runs WHERE id IN ($1, $2) ORDER BY id`,
      [dead.id, fresh.id],
    );
    expect(rows).toEqual([
      {
        id: dead.id,
        status: 'failed',
        error: 'abandoned: the run stopped without recording its end (its worker stopped or lost the database); found by the next run',
        finished: true,
      },
      { id: fresh.id, status: 'running', error: null, finished: false },
    ]);
    await ds.query(`DELETE FROM scheduled_job_runs WHERE id = $1`, [fresh.id]);
  });

  it('answers 202 for a long run, which keeps going; a second run while it runs, by hand or by cron, is skipped', async () => {
    const res = await request(t.http).post('/admin/scheduled-jobs/selftest.slow/run').set('Authorization', ops);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ name: 'selftest.slow', run_id: expect.stringMatching(/^\d+$/) });
    const runUrl = `/admin/scheduled-jobs/selftest.slow/runs/${res.body.run_id}`;
    expect((await request(t.http).get(runUrl).set('Authorization', ops)).body).toMatchObject({ status: 'running', finished_at: null });

    const second = await request(t.http).post('/admin/scheduled-jobs/selftest.slow/run').set('Authorization', ops);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'skipped', error: 'another run of selftest.slow was in progress' });
    const scheduler = t.app.get(ClusterScheduler);
    const handler = scheduler.jobs().get('selftest.slow')!;
    expect(await scheduler.tick(handler.options, handler.run, new Date('2031-01-01T04:00:00.050Z'))).toBe(true);
    const [cron] = await ds.query(`SELECT status, trigger FROM scheduled_job_runs WHERE job_name = 'selftest.slow' AND tick_at = '2031-01-01T04:00:00Z'`);
    expect(cron).toEqual({ status: 'skipped', trigger: 'cron' });
    expect(jobs.slowRuns).toBe(1);

    jobs.release!();
    const done = await eventually(async () => {
      const r = await request(t.http).get(runUrl).set('Authorization', ops);
      return r.body.status === 'succeeded' && r.body;
    });
    expect(done).toMatchObject({ result: { waited: true }, finished_at: expect.any(String) });
    expect((await request(t.http).get(`/admin/scheduled-jobs/selftest.count/runs/${res.body.run_id}`).set('Authorization', ops)).status).toBe(404);
    expect((await request(t.http).get(`/admin/scheduled-jobs/selftest.slow/runs/not-a-run`).set('Authorization', ops)).status).toBe(404);
  });

  it('runs a real job: scores.refresh-decaying answers its counts', async () => {
    const res = await request(t.http).post('/admin/scheduled-jobs/scores.refresh-decaying/run').set('Authorization', ops);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', result: { leads_refreshed: 0 } });
  });

  it('npm run cli -- job:run runs the job through a worker and prints the result', async () => {
    // the CLI knows the product's jobs (this test's selftest jobs exist only in the test process)
    const ok = await cli(t, ['job:run', 'scores.refresh-decaying']);
    expect(ok.stderr).toContain('scores.refresh-decaying: run');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim())).toMatchObject({ name: 'scores.refresh-decaying', status: 'succeeded', result: { leads_refreshed: 0 } });
    const [row] = await ds.query(`SELECT requested_by FROM scheduled_job_runs WHERE trigger = 'manual' ORDER BY id DESC LIMIT 1`);
    expect(row.requested_by).toMatch(/^cli:/);

    const unknown = await cli(t, ['job:run', 'decay.nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('scheduled job decay.nope not found');
  }, 60_000);
});
