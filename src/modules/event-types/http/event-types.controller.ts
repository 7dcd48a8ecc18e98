import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { RequestContext, OuScoped } from '../../../platform/tenancy';
import { EventTypesService } from '../event-types.service';
import { EventTypesQueries } from '../queries/event-types.queries';
import { EventTypeDeletePreviewDto, EventTypeDeleteResultDto, EventTypePropertiesDto, OuEventTypeDto, UpdateEventTypeSettingsDto } from './event-types.dto';

const EventTypeParam = () => ApiParam({ name: 'eventType', description: 'Event type name in any spelling ("Page View", "page_view")', example: 'Page View' });

/** Event types for pickers (ET-1, ET-5). */
@ApiTags('Events')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('event-types')
export class EventTypesController {
  constructor(private readonly types: EventTypesQueries) {}

  @Get()
  @ApiOperation({
    operationId: 'listEventTypes',
    summary: 'List visible event types (OU-scoped)',
    description:
      'Returns event type names visible in the active OU (excludes hidden types), A–Z, in Title Case: types seen in events and types referenced by rules.',
  })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' }, example: ['Demo Request', 'Page View'] } })
  @ApiErrors(400, 401)
  async list(): Promise<string[]> {
    return this.types.visibleNames();
  }

  @Get(':eventType/properties')
  @EventTypeParam()
  @ApiOperation({
    operationId: 'listEventTypeProperties',
    summary: 'List distinct metadata keys for an event type (OU)',
    description: 'Top-level metadata keys seen on events of the type in the active OU. 404 when the type is unknown there.',
  })
  @ApiOkResponse({ type: EventTypePropertiesDto })
  @ApiErrors(400, 401, 404)
  async properties(@Param('eventType') eventType: string): Promise<EventTypePropertiesDto> {
    return this.types.properties(this.types.keyOf(eventType));
  }
}

/** Per-OU event type settings and delete-by-type (ET-2, ET-3, ET-6). */
@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('settings/ou/event-types')
export class EventTypeSettingsController {
  constructor(
    private readonly types: EventTypesQueries,
    private readonly changes: EventTypesService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listOuEventTypes',
    summary: 'List event types with OU visibility and counts',
    description:
      'Event types known in the active OU (seen in events, referenced by rules, or configured) with the hidden flag, processing scope and the OU’s event count, A–Z.',
  })
  @ApiOkResponse({ type: [OuEventTypeDto] })
  @ApiErrors(400, 401)
  async list(): Promise<OuEventTypeDto[]> {
    return this.types.list();
  }

  @Put(':eventType')
  @EventTypeParam()
  @ApiOperation({
    operationId: 'setOuEventTypeVisibility',
    summary: 'Set OU visibility for an event type',
    description:
      'Partial upsert of the type’s settings in the active OU; a type not seen yet is registered so it can be configured before it arrives. Hidden types leave pickers and stop scoring new events; stored data is kept.',
  })
  @ApiOkResponse({ type: OuEventTypeDto })
  @ApiErrors(400, 401, 403)
  async update(@Param('eventType') eventType: string, @Body() body: UpdateEventTypeSettingsDto): Promise<OuEventTypeDto> {
    const row = await this.changes.update(this.types.keyOf(eventType), body);
    const changes = [
      body.hidden !== undefined ? (body.hidden ? 'hidden' : 'visible') : null,
      body.max_processing_scope ? `scope ${body.max_processing_scope}` : null,
    ].filter(Boolean);
    RequestContext.describe({
      verb: 'updated',
      entityType: 'event_type',
      entityId: row.key,
      summary: `set event type '${row.name}' ${changes.length ? changes.join(', ') : 'unchanged'}`,
    });
    return row;
  }

  @Get(':eventType/delete-preview')
  @EventTypeParam()
  @ApiOperation({
    operationId: 'previewDeleteOuEventTypeEvents',
    summary: 'Dry-run delete of all events for an event type (OU)',
    description: 'What DELETE …/events would remove in the active OU. Nothing is changed. 404 unknown type; 409 protected type.',
  })
  @ApiOkResponse({ type: EventTypeDeletePreviewDto })
  @ApiErrors(400, 401, 404, 409)
  async deletePreview(@Param('eventType') eventType: string): Promise<EventTypeDeletePreviewDto> {
    return this.types.deletePreview(this.types.keyOf(eventType));
  }

  @Delete(':eventType/events')
  @EventTypeParam()
  @ApiOperation({
    operationId: 'deleteOuEventTypeEvents',
    summary: 'Delete all events for an event type in the active OU',
    description:
      'Deletes the stored events of the type in the active OU and withdraws their points from the leads’ scores (applied within moments); leads and accounts are kept. 404 unknown type; 409 protected_event_type for system types.',
  })
  @ApiOkResponse({ type: EventTypeDeleteResultDto })
  @ApiErrors(400, 401, 403, 404, 409)
  async deleteEvents(@Param('eventType') eventType: string): Promise<EventTypeDeleteResultDto> {
    const key = this.types.keyOf(eventType);
    const result = await this.changes.deleteEvents(key);
    RequestContext.describe({
      verb: 'deleted',
      entityType: 'event_type',
      entityId: key,
      summary: `deleted ${result.events_deleted} event(s) of type '${(await this.types.get(key)).name}'`,
    });
    return result;
  }
}
