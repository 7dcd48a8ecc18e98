import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { QueueName } from '../../../platform/queues';
import { INGEST_JOB, IngestJobData } from '../ingest-job';
import { IngestPipeline, PipelineResult } from './ingest.pipeline';

/** Bull's non-blocking "move the next waiting job to active, locked by this queue" (not in its typings). */
interface ActiveMover {
  moveToActive(): Promise<Job<IngestJobData> | null | undefined>;
}

/**
 * Worker side of the ingest queue. Registered at bootstrap (not with @Process) so that its concurrency comes
 * from INGEST_WORKER_CONCURRENCY. Bull redelivers a job whose worker died (stalled lock); the pipeline makes
 * the redelivery record nothing twice.
 *
 * Group commit on this side too: when jobs are waiting behind the one Bull hands over (a backlog of small jobs,
 * e.g. single-event requests), they are taken along, in queue order, up to INGEST_WORKER_BATCH_EVENTS events,
 * and scored in the same transactions, so the cost of a transaction is shared by many requests instead of paid
 * per request. Taken jobs are locked like any active job (their locks kept alive meanwhile) and completed after
 * the batch commits; if the worker dies first their locks lapse and Bull redelivers them, and the event ids make
 * sure nothing is recorded twice.
 */
@Injectable()
export class IngestProcessor implements OnApplicationBootstrap {
  private readonly log = new Logger('Ingest');

  constructor(
    @InjectQueue(QueueName.Ingest) private readonly queue: Queue,
    private readonly pipeline: IngestPipeline,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.queue.process(INGEST_JOB, this.config.env.INGEST_WORKER_CONCURRENCY, (job: Job<IngestJobData>) => this.handle(job));
  }

  async handle(job: Job<IngestJobData>): Promise<PipelineResult> {
    const started = Date.now();
    const taken = await this.takeWaiting(job.data.events.length);
    const lockMs = this.config.env.QUEUE_LOCK_DURATION_MS;
    const keepLocks = taken.length
      ? setInterval(() => taken.forEach((t) => void t.extendLock(lockMs).catch(() => undefined)), Math.max(100, Math.floor(lockMs / 3)))
      : undefined;
    let result: PipelineResult;
    try {
      const events = taken.length ? [job, ...taken].flatMap((j) => j.data.events) : job.data.events;
      result = await this.pipeline.process(events, `ingest-job-${job.id}`);
    } catch (err) {
      clearInterval(keepLocks);
      // the taken jobs fail with the batch and are retried like it (their attempts and backoff)
      await Promise.all(taken.map((t) => t.moveToFailed({ message: (err as Error).message }).catch(() => undefined)));
      throw err;
    }
    clearInterval(keepLocks);
    await Promise.all(
      taken.map((t) =>
        // a lock lost meanwhile means Bull has redelivered the job: its events are stored, the redelivery records none
        t
          .moveToCompleted(`scored with job ${job.id}`, false, true)
          .catch((err: Error) => this.log.warn({ job_id: t.id, err: err.message }, 'taken job not completed')),
      ),
    );
    this.log.debug({
      msg: 'ingest job done',
      job_id: job.id,
      jobs: 1 + taken.length,
      events: job.data.events.length + taken.reduce((n, t) => n + t.data.events.length, 0),
      ...result,
      ms: Date.now() - started,
    });
    return result;
  }

  /** Waiting ingest jobs, oldest first, until the batch holds INGEST_WORKER_BATCH_EVENTS events (or the queue is empty). */
  private async takeWaiting(have: number): Promise<Job<IngestJobData>[]> {
    const max = this.config.env.INGEST_WORKER_BATCH_EVENTS;
    const taken: Job<IngestJobData>[] = [];
    let events = have;
    while (events < max) {
      const next = await (this.queue as unknown as ActiveMover).moveToActive();
      if (!next) break;
      taken.push(next);
      events += next.data.events.length;
    }
    return taken;
  }
}
