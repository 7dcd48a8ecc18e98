import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { QueueName } from '../../platform/queues';
import { ImportCannotRun, LeadImportRunner } from './lead-import.runner';

export const RUN_LEAD_IMPORT = 'lead-import.run';
/** Attempts of one import job (each resumes after the last committed chunk). */
export const LEAD_IMPORT_ATTEMPTS = 3;

export interface LeadImportJobData {
  import_job_id: string;
  unit_id: string;
}

/** Worker side of lead CSV imports: runs one import; the last failed attempt marks the import failed. */
@Processor(QueueName.LeadImport)
export class LeadImportProcessor {
  private readonly log = new Logger('LeadImport');

  constructor(private readonly runner: LeadImportRunner) {}

  @Process({ name: RUN_LEAD_IMPORT, concurrency: 1 })
  async handle(job: Job<LeadImportJobData>): Promise<{ processed_rows: number }> {
    try {
      return await this.runner.run(job.data.import_job_id, (percent) => job.progress(percent));
    } catch (err) {
      const last = err instanceof ImportCannotRun || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.log.warn({
        msg: 'lead import attempt failed',
        job_id: job.data.import_job_id,
        attempt: job.attemptsMade + 1,
        final: last,
        err: (err as Error).message,
      });
      if (last) {
        await this.runner.markFailed(job.data.import_job_id, (err as Error).message);
        if (err instanceof ImportCannotRun) return { processed_rows: 0 };
      }
      throw err;
    }
  }
}
