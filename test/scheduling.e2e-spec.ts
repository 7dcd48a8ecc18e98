import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterScheduler } from '../src/platform/scheduling/cluster-scheduler.service';
import { ScheduledJob } from '../src/platform/scheduling/scheduled-job.decorator';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { eventually, startTestApp, TestApp } from './support/test-app';

/** Counts its runs in the database, so runs from every worker land in one place. */
@Injectable()
class EverySecondJob {
  constructor(private readonly ds: DataSource) {}

  @ScheduledJob({ name: 'selftest.every-second', cron: '* * * * * *' })
  async run(): Promise<void> {
    await this.ds.query(`INSERT INTO selftest_runs (ran_at) VALUES (now())`);
  }
}

describe('Scheduling', () => {
  let db: TestDatabase;
  let workers: TestApp[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const setup = await startTestApp({ roles: [], db });
    await setup.app.get(DataSource).query(`CREATE TABLE selftest_runs (ran_at timestamptz NOT NULL)`);
    await setup.close();
    workers = await Promise.all([1, 2, 3].map(() => startTestApp({ roles: ['worker'], db, providers: [EverySecondJob] })));
  });
  afterAll(async () => {
    for (const w of workers ?? []) await w.close();
    await db?.drop();
  });

  it('runs each tick once although three workers schedule the job', async () => {
    const ds = workers[0].app.get(DataSource);
    await eventually(async () => Number((await ds.query(`SELECT count(*) AS n FROM selftest_runs`))[0].n) >= 3, 10_000);
    const [{ ticks, runs, winners }] = await ds.query(
      `SELECT count(DISTINCT tick_at)::int AS ticks, count(*)::int AS runs, count(DISTINCT worker)::int AS winners
         FROM scheduled_job_runs WHERE job_name = 'selftest.every-second'`,
    );
    const [{ n: executed }] = await ds.query(`SELECT count(*)::int AS n FROM selftest_runs`);
    expect(runs).toBe(ticks);
    // runs recorded so far executed once each (a run may be between its claim and its insert)
    expect(executed).toBeLessThanOrEqual(runs);
    expect(executed).toBeGreaterThanOrEqual(runs - 1);
    expect(winners).toBeGreaterThanOrEqual(1);
  });

  it('claims a tick once even when many firings race for it', async () => {
    const scheduler = workers[0].app.get(ClusterScheduler);
    let ran = 0;
    const firedAt = new Date('2030-01-01T00:00:00.120Z');
    const outcomes = await Promise.all(
      workers.flatMap((w) =>
        Array.from({ length: 5 }, () => w.app.get(ClusterScheduler).tick({ name: 'selftest.race', cron: '0 * * * *' }, async () => void ran++, firedAt)),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(ran).toBe(1);
    expect(scheduler).toBeDefined();
  });

  it('maps a firing to the scheduled tick it belongs to', () => {
    expect(ClusterScheduler.tickOf('0 * * * *', new Date('2030-01-01T05:00:00.040Z')).toISOString()).toBe('2030-01-01T05:00:00.000Z');
    expect(ClusterScheduler.tickOf('*/5 * * * * *', new Date('2030-01-01T05:00:10.300Z')).toISOString()).toBe('2030-01-01T05:00:10.000Z');
  });
});
