import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { JobSummary } from './scheduled-job.decorator';

export type JobRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';
export const FINISHED: readonly JobRunStatus[] = ['succeeded', 'failed', 'skipped'];

export interface JobRun {
  id: string;
  job_name: string;
  trigger: 'cron' | 'manual';
  status: JobRunStatus;
  worker: string | null;
  requested_by: string | null;
  started_at: Date;
  finished_at: Date | null;
  result: JobSummary | null;
  error: string | null;
  progress_done: number | null;
  progress_total: number | null;
}

const COLUMNS = `id::text AS id, job_name, trigger, status, worker, requested_by, started_at, finished_at, result, error,
  progress_done::float8 AS progress_done, progress_total::float8 AS progress_total`;

/** scheduled_job_runs: one row per cron tick claimed or manual run asked for, with its outcome. */
@Injectable()
export class JobRunStore {
  constructor(private readonly ds: DataSource) {}

  /** Claims a cron tick: the unique (job, tick) key lets one worker in the cluster win it. Null = taken. */
  async claimTick(name: string, tickAt: Date, worker: string): Promise<string | null> {
    const rows: { id: string }[] = await this.ds.query(
      `INSERT INTO scheduled_job_runs (job_name, tick_at, worker) VALUES ($1, $2, $3)
       ON CONFLICT (job_name, tick_at) DO NOTHING RETURNING id::text AS id`,
      [name, tickAt.toISOString(), worker],
    );
    return rows[0]?.id ?? null;
  }

  /** A run asked for by hand, waiting for a worker (its tick is the moment it was asked for). */
  async enqueueManual(name: string, requestedBy: string): Promise<JobRun> {
    const rows: JobRun[] = await this.ds.query(
      `INSERT INTO scheduled_job_runs (job_name, tick_at, worker, status, trigger, requested_by)
       VALUES ($1, clock_timestamp(), NULL, 'queued', 'manual', $2) RETURNING ${COLUMNS}`,
      [name, requestedBy],
    );
    return rows[0];
  }

  /** One worker takes a queued run; a redelivered queue job finds it taken and does nothing. */
  async claimManual(id: string, worker: string): Promise<JobRun | null> {
    const rows: JobRun[] = await this.ds.query(
      `UPDATE scheduled_job_runs SET status = 'running', worker = $2, started_at = now() WHERE id = $1 AND status = 'queued' RETURNING ${COLUMNS}`,
      [id, worker],
    );
    return rows[0] ?? null;
  }

  async progress(id: string, done: number, total: number | null): Promise<void> {
    await this.ds.query(`UPDATE scheduled_job_runs SET progress_done = $2, progress_total = $3 WHERE id = $1`, [id, done, total]);
  }

  async finish(id: string, status: JobRunStatus, result: JobSummary | null, error: string | null): Promise<void> {
    await this.ds.query(`UPDATE scheduled_job_runs SET status = $2, result = $3, error = $4, finished_at = now() WHERE id = $1`, [
      id,
      status,
      result === null ? null : JSON.stringify(result),
      error?.slice(0, 4000) ?? null,
    ]);
  }

  /**
   * Runs of `name` still marked running although the caller holds the job's cluster lock, so none of them is in
   * progress: their worker died, or lost PostgreSQL when it recorded the end. They are closed as failed. A run
   * claimed in the last minute is left alone: its worker may be about to try the lock (and record `skipped`).
   */
  async closeAbandoned(name: string, currentId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `UPDATE scheduled_job_runs
          SET status = 'failed', finished_at = now(),
              error = 'abandoned: the run stopped without recording its end (its worker stopped or lost the database); found by the next run'
        WHERE job_name = $1 AND status = 'running' AND id <> $2 AND started_at < now() - interval '1 minute'
        RETURNING id::text AS id`,
      [name, currentId],
    );
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<JobRun | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows: JobRun[] = await this.ds.query(`SELECT ${COLUMNS} FROM scheduled_job_runs WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The newest run of every job that has run (cron or manual). */
  async latest(): Promise<Map<string, JobRun>> {
    const rows: JobRun[] = await this.ds.query(
      `SELECT DISTINCT ON (job_name) ${COLUMNS} FROM scheduled_job_runs WHERE status <> 'queued' ORDER BY job_name, started_at DESC, id DESC`,
    );
    return new Map(rows.map((r) => [r.job_name, r]));
  }
}
