import { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per (job, tick): the unique key is what makes a cron tick run once across all workers. */
export class CreateScheduledJobRuns1764000000001 implements MigrationInterface {
  name = 'CreateScheduledJobRuns1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_job_runs (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_name    text        NOT NULL,
        tick_at     timestamptz NOT NULL,
        worker      text        NOT NULL,
        status      text        NOT NULL DEFAULT 'running',
        error       text,
        started_at  timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT scheduled_job_runs_tick_key UNIQUE (job_name, tick_at)
      )`);
    await q.query(`CREATE INDEX scheduled_job_runs_started_idx ON scheduled_job_runs (started_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduled_job_runs`);
  }
}
