import { Module } from '@nestjs/common';
import { QueueName } from '../../platform/queues/queue-names';
import { QueuesModule } from '../../platform/queues/queues.module';
import { SurgeDeliveryJob } from './delivery/surge-delivery.job';
import { SurgeEventsController, SurgeTriggersController } from './http/surge-triggers.controller';
import { SurgeDetectionProjection } from './projections/surge-detection.projection';
import { SurgeHistory } from './surge-history.service';

/** Surge triggers: configuration and backtests (HTTP), live detection (async projection of the Lead streams). */
@Module({
  imports: [QueuesModule.forFeature(QueueName.SurgeDelivery)],
  controllers: [SurgeTriggersController, SurgeEventsController],
  providers: [SurgeHistory, SurgeDetectionProjection],
})
export class SurgeModule {}

/** Worker role: the surge delivery queue's consumer. */
@Module({ imports: [QueuesModule.forFeature(QueueName.SurgeDelivery)], providers: [SurgeDeliveryJob] })
export class SurgeWorkerModule {}
