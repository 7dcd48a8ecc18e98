import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { QueueName } from '../../../platform/queues';
import { ERASE_LEAD_JOB, LeadDeletionJobData } from '../leads.service';
import { LeadEraser } from './lead-eraser.service';

/** Worker side of LEAD-18: one job per deletion request; retried with backoff, `failed` once attempts run out. */
@Processor(QueueName.LeadDeletion)
export class LeadDeletionProcessor {
  private readonly log = new Logger('LeadDeletion');

  constructor(private readonly eraser: LeadEraser) {}

  @Process({ name: ERASE_LEAD_JOB, concurrency: 1 })
  async erase(job: Job<LeadDeletionJobData>) {
    return this.eraser.erase(job.data.deletion_id);
  }

  @OnQueueFailed()
  async failed(job: Job<LeadDeletionJobData>, err: Error): Promise<void> {
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.log.warn({ msg: 'lead erasure failed', deletion_id: job.data.deletion_id, attempt: job.attemptsMade, final, err: err.message });
    if (final) await this.eraser.markFailed(job.data.deletion_id, err.message);
  }
}
