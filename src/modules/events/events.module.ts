import { Module } from '@nestjs/common';
import { LevelsModule } from '../levels';
import { ScoringModule } from '../scoring';
import { EventsService } from './events.service';
import { EventsController } from './http/events.controller';
import { LeadEventsProjection } from './projections/lead-events.projection';
import { ChannelsQuery } from './queries/channels.query';
import { EventExplanationQuery } from './queries/event-explanation.query';
import { EventListQuery } from './queries/event-list.query';
import { EventsExportQuery } from './queries/events-export.query';
import { LeadActivityQuery } from './queries/lead-activity.query';

/** Ingested events: the lead-events read model (projection), their reads, CSV export, activity and deletion. */
@Module({
  imports: [ScoringModule, LevelsModule],
  controllers: [EventsController],
  providers: [LeadEventsProjection, EventsService, EventListQuery, EventExplanationQuery, EventsExportQuery, LeadActivityQuery, ChannelsQuery],
  exports: [EventsService],
})
export class EventsModule {}
