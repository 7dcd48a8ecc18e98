import { Body, Controller, Delete, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { sendCsv, ApiErrors, pageOf, pageRequest } from '../../../platform/http';
import { RequestContext, OuScoped } from '../../../platform/tenancy';
import { EventsService } from '../events.service';
import { ChannelsQuery } from '../queries/channels.query';
import { EventExplanationQuery } from '../queries/event-explanation.query';
import { EventListQuery } from '../queries/event-list.query';
import { EVENT_EXPORT_COLUMNS, EventsExportQuery } from '../queries/events-export.query';
import { LeadActivityQuery } from '../queries/lead-activity.query';
import {
  ActivityDto,
  ActivityQueryDto,
  BatchDeleteDto,
  BatchDeleteResultDto,
  EventExplanationDto,
  EventPageDto,
  EventsQueryDto,
  ExportQueryDto,
  LeadEventsQueryDto,
} from './events.dto';

/** Reads of ingested events (OU-scoped): lists, per lead, explanations, CSV export, deletion, channels, activity. */
@ApiTags('Events')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class EventsController {
  constructor(
    private readonly events: EventListQuery,
    private readonly explanations: EventExplanationQuery,
    private readonly exports: EventsExportQuery,
    private readonly leadActivity: LeadActivityQuery,
    private readonly channelList: ChannelsQuery,
    private readonly deletion: EventsService,
  ) {}

  @Get('events')
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'List engagement events (OU-scoped)',
    description:
      'Newest first, suppressed ones included (with their reason). Repeatable `metadata=key:value` filters compare the metadata value as text, combined by `logic`.',
  })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors(400, 401)
  async list(@Query() q: EventsQueryDto): Promise<EventPageDto> {
    const page = pageRequest(q);
    const { events, total } = await this.events.list(page, q.metadata, q.logic);
    return pageOf('events', events, total, page);
  }

  @Delete('events/batch')
  @ApiOperation({
    operationId: 'batchDeleteEvents',
    summary: 'Batch delete events (OU-scoped)',
    description: 'Deletes the listed events of the active OU (ids of other OUs are ignored) and withdraws their points from the leads’ scores.',
  })
  @ApiOkResponse({ type: BatchDeleteResultDto })
  @ApiErrors(400, 401, 403)
  async deleteBatch(@Body() body: BatchDeleteDto): Promise<BatchDeleteResultDto> {
    const deleted = await this.deletion.deleteBatch(body.ids);
    RequestContext.describe({ verb: 'delete', entityType: 'event', summary: `deleted ${deleted} event(s) of ${body.ids.length} requested` });
    return { deleted };
  }

  @Get('events/export')
  @ApiOperation({
    operationId: 'exportEvents',
    summary: 'Export events (OU-scoped)',
    description: 'CSV (`id,lead_id,event_type,timestamp`) of the active OU’s events, oldest first, streamed in chunks; optional `start`, `end`, `event_type`.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'CSV',
    content: { 'text/csv': { schema: { type: 'string', example: 'id,lead_id,event_type,timestamp\nev_001,ld_123,Page View,2025-08-15T12:00:00Z\n' } } },
  })
  @ApiErrors(400, 401)
  async export(@Query() q: ExportQueryDto, @Res() res: Response): Promise<void> {
    const { fileName, rows } = this.exports.export(q);
    await sendCsv(res, fileName, EVENT_EXPORT_COLUMNS, rows);
  }

  @Get('events/:leadID')
  @ApiOperation({
    operationId: 'listLeadEvents',
    summary: 'List events for a lead (OU-scoped)',
    description: 'Newest first; `limit` 1–100 (default 25); optional `event_type`. 404 when the lead is not in the active OU.',
  })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors(400, 401, 404)
  async ofLead(@Param('leadID') leadId: string, @Query() q: LeadEventsQueryDto): Promise<EventPageDto> {
    const page = pageRequest(q, 25);
    const { events, total } = await this.events.ofLead(leadId, page, q.event_type);
    return pageOf('events', events, total, page);
  }

  @Get('events/:eventID/score-explain')
  @ApiOperation({
    operationId: 'getEventScoreExplanation',
    summary: 'Get event score explanation',
    description: 'Per-ruleset contribution of one event (rule, weight, multiplier, decay now) and the ruleset score before and after it.',
  })
  @ApiOkResponse({ type: EventExplanationDto })
  @ApiErrors(400, 401, 404)
  explain(@Param('eventID') eventId: string): Promise<EventExplanationDto> {
    return this.explanations.explain(eventId);
  }

  @Get('channels')
  @ApiOperation({
    operationId: 'listChannels',
    summary: 'List available channels (OU-scoped)',
    description: 'Distinct normalised channels observed in the active OU.',
  })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' }, example: ['web', 'email', 'slack'] } })
  @ApiErrors(400, 401)
  channels(): Promise<string[]> {
    return this.channelList.channels();
  }

  @Get('leads/:leadID/activity')
  @ApiOperation({
    operationId: 'getLeadActivity',
    summary: 'Unified activity stream (events + orders + timeline)',
    description:
      'Events, orders and both merged by time for one lead of the active OU. `range/start/end` filter both; `channel`, `minScore`, `maxLatency`, `hasDelta` filter events. Orders come from the deals feature and are never scored; until a deal source is connected the list is empty.',
  })
  @ApiOkResponse({ type: ActivityDto })
  @ApiErrors(400, 401, 404)
  activity(@Param('leadID') leadId: string, @Query() q: ActivityQueryDto): Promise<ActivityDto> {
    return this.leadActivity.activity(leadId, q);
  }
}
