// The events module's public surface.
export { EventErrors } from './events.errors';
export { EventsModule } from './events.module';
export { EventsService } from './events.service';
export { LeadEventsProjection } from './projections/lead-events.projection';
export { HOUR_MS, touchHourOf } from './projections/event-touches.sql';
