import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { PlatformErrors } from '../http/platform.errors';
import { QueueName } from '../queues/queue-names';
import { ClusterScheduler } from './cluster-scheduler.service';
import { FINISHED, JobRun, JobRunStore } from './job-run.store';
import { RUN_SCHEDULED_JOB, RunScheduledJobData } from './scheduled-job-run.processor';
import { scheduledJobCatalog } from './scheduled-job.decorator';

export interface ScheduledJobInfo {
  name: string;
  cron: string;
  last_run_at: string | null;
  last_status: string | null;
  next_run_at: string;
}

const POLL_MS = 100;

/** Lists scheduled jobs and starts manual runs: the api's `/admin/scheduled-jobs` and the CLI's `job:run`. */
@Injectable()
export class ScheduledJobRuns {
  constructor(
    private readonly runs: JobRunStore,
    @InjectQueue(QueueName.ScheduledJobs) private readonly queue: Queue,
  ) {}

  async list(now = new Date()): Promise<ScheduledJobInfo[]> {
    const latest = await this.runs.latest();
    return [...scheduledJobCatalog.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ name, cron }) => {
        const last = latest.get(name);
        return {
          name,
          cron,
          last_run_at: last ? last.started_at.toISOString() : null,
          last_status: last?.status ?? null,
          next_run_at: ClusterScheduler.nextOf(cron, now).toISOString(),
        };
      });
  }

  /** Queues a run of `name` for any worker; 404 for a name no job declares. */
  async start(name: string, requestedBy: string): Promise<JobRun> {
    if (!scheduledJobCatalog.has(name)) throw PlatformErrors.notFound('scheduled_job_not_found', `scheduled job ${name}`);
    const run = await this.runs.enqueueManual(name, requestedBy);
    await this.queue.add(RUN_SCHEDULED_JOB, { run_id: run.id } satisfies RunScheduledJobData, { attempts: 1, jobId: `run-${run.id}` });
    return run;
  }

  /** Waits until the run finishes or `timeoutMs` passes; answers the run as it stands then. */
  async wait(id: string, timeoutMs: number, onPoll?: (run: JobRun) => void): Promise<JobRun> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.get(id);
      onPoll?.(run);
      if (FINISHED.includes(run.status) || Date.now() >= deadline) return run;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  }

  async get(id: string, name?: string): Promise<JobRun> {
    const run = await this.runs.get(id);
    if (!run || (name !== undefined && run.job_name !== name)) throw PlatformErrors.notFound('scheduled_job_run_not_found', `run ${id}`);
    return run;
  }
}
