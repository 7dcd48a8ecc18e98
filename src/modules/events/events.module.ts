import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring';
import { EventsService } from './events.service';
import { EventsController } from './http/events.controller';
import { LeadEventsProjection } from './projections/lead-events.projection';

/** Ingested events as read models (events, per-event scores, lead scores, event types, channels) and their reads. */
@Module({
  imports: [ScoringModule],
  controllers: [EventsController],
  providers: [LeadEventsProjection, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
