import { Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { ImportController } from './http/import.controller';
import { IngestController } from './http/ingest.controller';
import { IngestIntake } from './ingest-intake.service';
import { IngestQueueWriter } from './ingest-queue.writer';
import { IngestPipeline } from './pipeline/ingest.pipeline';
import { IngestProcessor } from './pipeline/ingest.processor';

/** Events in: POST /ingest and POST /import validate and durably queue. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Ingest)],
  controllers: [IngestController, ImportController],
  providers: [IngestIntake, IngestQueueWriter],
  exports: [IngestIntake],
})
export class IngestionModule {}

/** Worker role: the ingest queue's consumer and the pipeline it runs. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Ingest)],
  providers: [IngestPipeline, IngestProcessor],
  exports: [IngestPipeline],
})
export class IngestionWorkerModule {}
