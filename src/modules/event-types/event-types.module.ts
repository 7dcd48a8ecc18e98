import { Module } from '@nestjs/common';
import { EventsModule } from '../events';
import { EventTypesService } from './event-types.service';
import { EventTypesQueries } from './queries/event-types.queries';
import { EventTypeSettingsController, EventTypesController } from './http/event-types.controller';

/** Event types of an OU: picker lists, metadata keys, per-OU visibility and processing scope, delete by type. */
@Module({
  imports: [EventsModule],
  controllers: [EventTypesController, EventTypeSettingsController],
  providers: [EventTypesService, EventTypesQueries],
})
export class EventTypesModule {}
