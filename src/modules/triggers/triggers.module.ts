import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications';
import { CreateTriggerHandler } from './commands/create-trigger/create-trigger.handler';
import { DeleteTriggerHandler } from './commands/delete-trigger/delete-trigger.handler';
import { UpdateTriggerHandler } from './commands/update-trigger/update-trigger.handler';
import {
  MilestoneEventsController,
  MilestoneTriggersController,
  PatternTriggersController,
  SequenceEventsController,
  SequencesController,
} from './http/triggers.controllers';
import { TriggerDetectionProjection } from './projections/trigger-detection.projection';
import { TriggersProjection } from './projections/triggers.projection';
import { TriggerHistory } from './queries/trigger-history.service';
import { TriggersReader } from './queries/triggers.reader';

/**
 * Milestone, sequence and pattern triggers: the Trigger aggregate (stream type `trigger`, read model `triggers`
 * applied inline), live detection (async projection of the Lead streams) and simulate over history with the same
 * domain functions, firings listed and exported. Notifications go through the notifications outbox.
 */
@Module({
  imports: [NotificationsModule],
  controllers: [MilestoneTriggersController, MilestoneEventsController, SequencesController, SequenceEventsController, PatternTriggersController],
  providers: [CreateTriggerHandler, UpdateTriggerHandler, DeleteTriggerHandler, TriggersReader, TriggerHistory, TriggersProjection, TriggerDetectionProjection],
})
export class TriggersModule {}
