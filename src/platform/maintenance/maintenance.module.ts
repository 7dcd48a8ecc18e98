import { Module } from '@nestjs/common';
import { QueueName } from '../queues/queue-names';
import { QueuesModule } from '../queues/queues.module';
import { ProjectionsAdminController } from './projections-admin.controller';
import { PruneJobRunsJob } from './prune-job-runs.job';
import { RebuildProjectionJob } from './rebuild-projection.job';

@Module({ imports: [QueuesModule.forFeature(QueueName.Maintenance)], controllers: [ProjectionsAdminController] })
export class MaintenanceModule {}

/** Worker role: the maintenance queue's consumer and the platform's own cron jobs. */
@Module({ imports: [MaintenanceModule, QueuesModule.forFeature(QueueName.Maintenance)], providers: [RebuildProjectionJob, PruneJobRunsJob] })
export class MaintenanceWorkerModule {}
