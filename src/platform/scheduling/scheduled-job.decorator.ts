import { SetMetadata } from '@nestjs/common';

export const SCHEDULED_JOB = 'kenbun:scheduled-job';

export interface ScheduledJobOptions {
  /** Unique job name, `area.action` (also the key of its runs). */
  name: string;
  /** Cron expression, seconds field optional (`0 * * * *` = hourly). Evaluated in UTC. */
  cron: string;
}

/** What a job hands back when it finishes: its own counts (contracts §1 `result`). */
export type JobSummary = Record<string, number | string | boolean | null>;

/** Given to every run, by cron, by `POST /admin/scheduled-jobs/{name}/run` and by `cli job:run`. */
export interface JobContext {
  /** Reports how far a long job is: `done` of `total` units (leads, rows…); logged and shown by the CLI. */
  progress(done: number, total?: number): void;
  /** `cron` or `manual` (route or CLI). */
  readonly trigger: 'cron' | 'manual';
}

/**
 * Marks a provider method `(ctx: JobContext) => Promise<JobSummary | void>` as a cron job of the worker role.
 * Each tick runs once across every worker: the first worker to record (job, tick) in scheduled_job_runs runs it,
 * the others skip. The same method runs when an operator asks for it by hand.
 */
export const ScheduledJob = (options: ScheduledJobOptions): MethodDecorator => {
  const existing = scheduledJobCatalog.get(options.name);
  if (existing && existing.cron !== options.cron) throw new Error(`scheduled job ${options.name} declared twice with different schedules`);
  scheduledJobCatalog.set(options.name, options);
  return SetMetadata(SCHEDULED_JOB, options);
};

/**
 * Every declared job, by name, filled as the classes load. Every role imports the worker modules' classes (the api
 * does not instantiate them), so the api and the CLI can list jobs and validate names without running them.
 */
export const scheduledJobCatalog = new Map<string, ScheduledJobOptions>();
