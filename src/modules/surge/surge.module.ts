import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications';
import { SurgeDestinations } from './commands/surge-destinations';
import { CreateSurgeTriggerHandler } from './commands/create-surge-trigger/create-surge-trigger.handler';
import { DeleteSurgeTriggerHandler } from './commands/delete-surge-trigger/delete-surge-trigger.handler';
import { UpdateSurgeTriggerHandler } from './commands/update-surge-trigger/update-surge-trigger.handler';
import { IdentityModule } from '../identity';
import { SurgeEventsController } from './http/surge-events.controller';
import { SurgeMetricsController } from './http/surge-metrics.controller';
import { SurgeTriggersController } from './http/surge-triggers.controller';
import { SurgeDetectionProjection } from './projections/surge-detection.projection';
import { SurgeHistory } from './queries/surge-history.service';
import { SurgeMetricsService } from './queries/surge-metrics.service';
import { SurgeTriggersReader } from './queries/surge-triggers.reader';

/**
 * Surge triggers: configuration and backtests (HTTP), live detection (async projection of the Lead streams), metrics
 * per OU. Firings are delivered through the notifications outbox (its worker module sends them).
 */
@Module({
  imports: [NotificationsModule, IdentityModule],
  controllers: [SurgeTriggersController, SurgeEventsController, SurgeMetricsController],
  providers: [
    CreateSurgeTriggerHandler,
    UpdateSurgeTriggerHandler,
    DeleteSurgeTriggerHandler,
    SurgeTriggersReader,
    SurgeHistory,
    SurgeMetricsService,
    SurgeDetectionProjection,
    SurgeDestinations,
  ],
})
export class SurgeModule {}
