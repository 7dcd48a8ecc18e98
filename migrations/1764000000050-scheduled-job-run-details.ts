import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs by hand (contracts §1) next to cron ticks: who asked (`trigger`), the job's own summary (`result`) and its
 * progress while it runs, and who asked for a manual run (platform operations are not an organization's, so this
 * row is their audit record). A manual run is inserted `queued` by the api or CLI and claimed by one worker.
 */
export class ScheduledJobRunDetails1764000000050 implements MigrationInterface {
  name = 'ScheduledJobRunDetails1764000000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE scheduled_job_runs
        ADD COLUMN trigger text NOT NULL DEFAULT 'cron' CHECK (trigger IN ('cron', 'manual')),
        ADD COLUMN result jsonb,
        ADD COLUMN progress_done bigint,
        ADD COLUMN progress_total bigint,
        ADD COLUMN requested_by text,
        ALTER COLUMN worker DROP NOT NULL`);
    await q.query(`CREATE INDEX scheduled_job_runs_job_started_idx ON scheduled_job_runs (job_name, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX scheduled_job_runs_job_started_idx`);
    await q.query(`DELETE FROM scheduled_job_runs WHERE worker IS NULL`);
    await q.query(
      `ALTER TABLE scheduled_job_runs DROP COLUMN trigger, DROP COLUMN result, DROP COLUMN progress_done, DROP COLUMN progress_total, DROP COLUMN requested_by, ALTER COLUMN worker SET NOT NULL`,
    );
  }
}
