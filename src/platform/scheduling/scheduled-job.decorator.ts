import { SetMetadata } from '@nestjs/common';

export const SCHEDULED_JOB = 'kenbun:scheduled-job';

export interface ScheduledJobOptions {
  /** Unique job name (also the key of its runs). */
  name: string;
  /** Cron expression, seconds field optional (`0 * * * *` = hourly). Evaluated in UTC. */
  cron: string;
}

/**
 * Marks a provider method as a cron job of the worker role. Each tick runs once across every worker:
 * the first worker to record (job, tick) in scheduled_job_runs runs it, the others skip.
 */
export const ScheduledJob = (options: ScheduledJobOptions): MethodDecorator => SetMetadata(SCHEDULED_JOB, options);
