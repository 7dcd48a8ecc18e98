import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { QueueName } from '../../../platform/queues';
import { RequestContext, currentUnit } from '../../../platform/tenancy';
import { BackfillJobDto } from '../http/mappings.dto';
import { MappingErrors } from '../mappings.errors';

const POLL_MS = 100;

/** What every backfill job carries: the OU it works on and who asked. */
export interface BackfillJobData {
  org_id: string;
  unit_id: string;
  actor: string;
  correlation_id: string | null;
}

/** The kinds of backfill (job names on the `maintenance` queue) GET /backfill/jobs/{jobId} reports on, with the API's name of each. */
const KINDS = new Map<string, string>();

function jobStatus(state: string): string {
  if (state === 'completed' || state === 'failed') return state;
  return state === 'active' ? 'running' : 'queued';
}

/**
 * The one backfill mechanism (ADM-1..3, ADM-5): every `POST /backfill/*` queues a job of its kind on the Bull queue
 * `maintenance` for the active OU, waits for it up to SCHEDULED_JOB_RUN_WAIT_MS (as a manual run of a scheduled job)
 * and answers its counts, or the job to follow at `GET /backfill/jobs/{jobId}` when it takes longer. Each kind's
 * worker processor reports progress and answers its own counts. A module adds a kind with `BackfillJobs.register`.
 */
@Injectable()
export class BackfillJobs {
  /** Declares a kind of backfill: `jobName` on the maintenance queue, `kind` as GET /backfill/jobs shows it. */
  static register(jobName: string, kind: string): void {
    KINDS.set(jobName, kind);
  }

  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue<BackfillJobData>,
    private readonly config: AppConfig,
  ) {}

  async start<R extends object>(jobName: string): Promise<{ done: true; result: R } | { done: false; job: BackfillJobDto }> {
    const kind = KINDS.get(jobName);
    if (!kind) throw new Error(`backfill ${jobName} is not registered`);
    const { orgId, unitId } = currentUnit();
    const job = await this.queue.add(jobName, {
      org_id: orgId,
      unit_id: unitId,
      actor: RequestContext.actor(),
      correlation_id: RequestContext.current()?.requestId ?? null,
    });
    RequestContext.describe({ verb: 'backfill', entityType: kind, entityId: unitId, summary: `backfill of ${kind.replace(/_/g, ' ')} (job ${job.id})` });
    const deadline = Date.now() + this.config.env.SCHEDULED_JOB_RUN_WAIT_MS;
    for (;;) {
      const view = await this.view(String(job.id));
      if (view.status === 'completed') return { done: true, result: view.result as R };
      if (view.status === 'failed' || Date.now() >= deadline) return { done: false, job: view };
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** A backfill job of the active OU (404 for another OU's job or a job that is no backfill). */
  async job(jobId: string): Promise<BackfillJobDto> {
    return this.view(jobId);
  }

  private async view(jobId: string): Promise<BackfillJobDto> {
    let job = await this.queue.getJob(jobId);
    const kind = job ? KINDS.get(job.name) : undefined;
    if (!job || !kind || job.data.unit_id !== currentUnit().unitId) throw MappingErrors.notFound('job_not_found', 'backfill job');
    const state = await job.getState();
    // the job may have completed between the read and the state check: read it again for its counts
    if (state === 'completed' && job.returnvalue == null) job = (await this.queue.getJob(jobId)) ?? job;
    const progress = job.progress();
    return {
      job_id: String(job.id),
      kind,
      status: jobStatus(state),
      progress: typeof progress === 'number' ? progress : 0,
      result: (job.returnvalue as Record<string, number>) ?? null,
      error: job.failedReason ?? null,
      status_url: `/backfill/jobs/${job.id}`,
    };
  }
}
