// The event-types module's public surface.
export { EventTypeErrors } from './event-types.errors';
export { EventTypesModule } from './event-types.module';
