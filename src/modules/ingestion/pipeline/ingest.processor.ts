import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { QueueName } from '../../../platform/queues';
import { INGEST_JOB, IngestJobData } from '../ingest-job';
import { IngestPipeline, PipelineResult } from './ingest.pipeline';

/**
 * Worker side of the ingest queue. Registered at bootstrap (not with @Process) so that its concurrency comes
 * from INGEST_WORKER_CONCURRENCY. Bull redelivers a job whose worker died (stalled lock); the pipeline makes
 * the redelivery record nothing twice.
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
    const result = await this.pipeline.process(job.data.events, `ingest-job-${job.id}`);
    this.log.debug({ msg: 'ingest job done', job_id: job.id, events: job.data.events.length, ...result, ms: Date.now() - started });
    return result;
  }
}
