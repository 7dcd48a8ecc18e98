import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { LeadImportController } from './http/lead-import.controller';
import { LeadImportFiles, PurgeLeadImportFilesJob } from './lead-import-files';
import { LeadImportJobs } from './lead-import-jobs.service';
import { LeadImportUploads } from './lead-import-uploads';
import { LeadImportProcessor } from './lead-import.processor';
import { LeadImportRunner } from './lead-import.runner';

/** Lead CSV import (LIMP-1/2): uploads kept in PostgreSQL for an hour, import runs queued to the worker. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.LeadImport)],
  controllers: [LeadImportController],
  providers: [LeadImportFiles, LeadImportUploads, LeadImportJobs],
})
export class LeadImportModule {}

/** Worker role: runs imports and purges expired uploads. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.LeadImport)],
  providers: [LeadImportFiles, LeadImportRunner, LeadImportProcessor, PurgeLeadImportFilesJob],
})
export class LeadImportWorkerModule {}
