import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { QueueName } from '../queues/queue-names';
import { QueuesModule } from '../queues/queues.module';
import { ClusterScheduler } from './cluster-scheduler.service';
import { JobRunStore } from './job-run.store';
import { ScheduledJobRunProcessor } from './scheduled-job-run.processor';
import { ScheduledJobRuns } from './scheduled-job-runs.service';
import { ScheduledJobsController } from './scheduled-jobs.controller';

/** Every role: the operations routes and the CLI list scheduled jobs and queue manual runs. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.ScheduledJobs)],
  controllers: [ScheduledJobsController],
  providers: [JobRunStore, ScheduledJobRuns],
  exports: [JobRunStore, ScheduledJobRuns],
})
export class ScheduledJobsModule {}

/** Worker role only: cron jobs that run once per tick across every worker, and the manual runs' consumer. */
@Module({
  imports: [ScheduleModule.forRoot(), DiscoveryModule, ScheduledJobsModule],
  providers: [ClusterScheduler, ScheduledJobRunProcessor],
  exports: [ClusterScheduler],
})
export class SchedulingModule {}
