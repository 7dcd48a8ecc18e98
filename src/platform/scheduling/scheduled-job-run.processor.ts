import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QueueName } from '../queues/queue-names';
import { ClusterScheduler } from './cluster-scheduler.service';

export const RUN_SCHEDULED_JOB = 'run';

export interface RunScheduledJobData {
  run_id: string;
}

/** Worker side of manual runs: any worker takes the queued run and executes it as its cron tick would. */
@Processor(QueueName.ScheduledJobs)
export class ScheduledJobRunProcessor {
  constructor(private readonly scheduler: ClusterScheduler) {}

  @Process({ name: RUN_SCHEDULED_JOB, concurrency: 2 })
  async run(job: Job<RunScheduledJobData>): Promise<void> {
    await this.scheduler.runQueued(job.data.run_id);
  }
}
