import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { QueueName } from '../../../platform/queues';
import { HubSpotSyncRunner, SyncCannotRun } from './hubspot-sync.runner';

export const RUN_HUBSPOT_SYNC = 'hubspot-sync.run';
/** Attempts of one sync run (each resumes at the page the last one committed). */
export const HUBSPOT_SYNC_ATTEMPTS = 5;

export interface HubSpotSyncJobData {
  run_id: string;
  unit_id: string;
}

/** Worker side of HubSpot syncs: runs one sync run; the last failed attempt (or a broken connection) fails the run. */
@Processor(QueueName.HubSpotSync)
export class HubSpotSyncProcessor {
  private readonly log = new Logger('HubSpotSync');

  constructor(private readonly runner: HubSpotSyncRunner) {}

  @Process({ name: RUN_HUBSPOT_SYNC, concurrency: 1 })
  async handle(job: Job<HubSpotSyncJobData>): Promise<Record<string, number>> {
    try {
      return await this.runner.run(job.data.run_id, (counts) => job.progress(counts));
    } catch (err) {
      const last = err instanceof SyncCannotRun || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.log.warn({ msg: 'HubSpot sync attempt failed', run_id: job.data.run_id, attempt: job.attemptsMade + 1, final: last, err: (err as Error).message });
      if (last) {
        await this.runner.markFailed(job.data.run_id, (err as Error).message);
        if (err instanceof SyncCannotRun) return {};
      }
      throw err;
    }
  }
}
