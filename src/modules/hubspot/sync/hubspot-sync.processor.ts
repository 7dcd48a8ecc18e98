import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { DataSource } from 'typeorm';
import { QueueName } from '../../../platform/queues';
import { HubSpotSyncRunner, SyncCannotRun } from './hubspot-sync.runner';

export const RUN_HUBSPOT_SYNC = 'hubspot-sync.run';
/** Attempts of one sync run (each resumes at the page the last one committed). */
export const HUBSPOT_SYNC_ATTEMPTS = 5;
/** How long a run waits before it looks again when another run of its OU is in progress. */
export const HUBSPOT_SYNC_WAIT_MS = 5_000;
/** The advisory lock that keeps one sync run of an OU in progress at a time across workers. */
export const hubSpotSyncLock = (unitId: string) => `hubspot-sync:${unitId}`;

export interface HubSpotSyncJobData {
  run_id: string;
  unit_id: string;
}

/**
 * Worker side of HubSpot syncs: runs one sync run; the last failed attempt (or a broken connection) fails the run.
 * One run of an OU is in progress at a time across all workers (a session advisory lock on a connection held for the
 * run, released with it if the worker dies): a backfill asked for while an incremental sync runs, or twice, waits
 * its turn (queued again HUBSPOT_SYNC_WAIT_MS later, which uses no attempt) instead of importing the same pages
 * side by side.
 */
@Processor(QueueName.HubSpotSync)
export class HubSpotSyncProcessor {
  private readonly log = new Logger('HubSpotSync');

  constructor(
    private readonly runner: HubSpotSyncRunner,
    private readonly ds: DataSource,
    @InjectQueue(QueueName.HubSpotSync) private readonly queue: Queue,
  ) {}

  @Process({ name: RUN_HUBSPOT_SYNC, concurrency: 1 })
  async handle(job: Job<HubSpotSyncJobData>): Promise<Record<string, number>> {
    const lockConn = this.ds.createQueryRunner();
    await lockConn.connect();
    try {
      const key = hubSpotSyncLock(job.data.unit_id);
      const [{ locked }] = await lockConn.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
      if (!locked) {
        this.log.log({ msg: 'HubSpot sync waits: another run of the OU is in progress', run_id: job.data.run_id, retry_in_ms: HUBSPOT_SYNC_WAIT_MS });
        await this.queue.add(RUN_HUBSPOT_SYNC, job.data, {
          jobId: `${job.data.run_id}:after:${Date.now()}`,
          delay: HUBSPOT_SYNC_WAIT_MS,
          attempts: job.opts.attempts,
          backoff: job.opts.backoff,
          removeOnComplete: 100,
        });
        return {};
      }
      try {
        return await this.attempt(job);
      } finally {
        await lockConn.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      }
    } finally {
      await lockConn.release();
    }
  }

  private async attempt(job: Job<HubSpotSyncJobData>): Promise<Record<string, number>> {
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
