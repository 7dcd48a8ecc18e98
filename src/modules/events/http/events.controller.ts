import { Body, Controller, Delete, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { AppError } from '../../../platform/http/app-error';
import { ApiErrors } from '../../../platform/http/error-response.dto';
import { pageOf, pageRequest } from '../../../platform/http/pagination';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { OuScoped } from '../../../platform/tenancy/tenancy.decorators';
import { tenantKey } from '../../../platform/tenancy/tenant-scope';
import { canonicalEventType, contributionPoints, ScoreReader } from '../../scoring';
import { EVENT_COLUMNS, EventsService, toEventDto } from '../events.service';
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
import { relativeRange } from '../../../platform/http/time-range';
import { sendCsv } from '../../../platform/http/csv-response';

const EXPORT_CHUNK = 5000;

/** Reads of ingested events (OU-scoped): lists, per lead, explanations, CSV export, deletion, channels, activity. */
@ApiTags('Events')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly clock: Clock,
  ) {}

  @Get('events')
  @ApiOperation({ operationId: 'listEvents', summary: 'List engagement events (OU-scoped)', description: 'Newest first, suppressed ones included (with their reason). Repeatable `metadata=key:value` filters compare the metadata value as text, combined by `logic`.' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors(400, 401)
  async list(@Query() q: EventsQueryDto): Promise<EventPageDto> {
    const page = pageRequest(q);
    const { events, total } = await this.events.list(page, q.metadata, q.logic);
    return pageOf('events', events, total, page);
  }

  @Delete('events/batch')
  @ApiOperation({ operationId: 'batchDeleteEvents', summary: 'Batch delete events (OU-scoped)', description: 'Deletes the listed events of the active OU (ids of other OUs are ignored) and withdraws their points from the leads’ scores.' })
  @ApiOkResponse({ type: BatchDeleteResultDto })
  @ApiErrors(400, 401, 403)
  async deleteBatch(@Body() body: BatchDeleteDto): Promise<BatchDeleteResultDto> {
    const deleted = await this.events.deleteBatch(body.ids);
    RequestContext.describe({ verb: 'delete', entityType: 'event', summary: `deleted ${deleted} event(s) of ${body.ids.length} requested` });
    return { deleted };
  }

  @Get('events/export')
  @ApiOperation({ operationId: 'exportEvents', summary: 'Export events (OU-scoped)', description: 'CSV (`id,lead_id,event_type,timestamp`) of the active OU’s events, oldest first, streamed in chunks; optional `start`, `end`, `event_type`.' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV', content: { 'text/csv': { schema: { type: 'string', example: 'id,lead_id,event_type,timestamp\nev_001,ld_123,Page View,2025-08-15T12:00:00Z\n' } } } })
  @ApiErrors(400, 401)
  async export(@Query() q: ExportQueryDto, @Res() res: Response): Promise<void> {
    const { unit_id } = tenantKey();
    const key = q.event_type ? canonicalEventType(q.event_type) : null;
    const ds = this.ds;
    // keyset pages in (occurred_at, event_id) order
    const rows = async function* () {
      let afterAt = '-infinity';
      let afterId = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const page = await ds.query(
          `SELECT event_id, lead_id, event_type, occurred_at FROM lead_events
            WHERE unit_id = $1 AND (occurred_at, event_id) > ($2::timestamptz, $3::uuid)
              AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5) AND ($6::text IS NULL OR event_type_key = $6)
            ORDER BY occurred_at, event_id LIMIT ${EXPORT_CHUNK}`,
          [unit_id, afterAt, afterId, q.start ?? null, q.end ?? null, key],
        );
        if (page.length) yield page.map((r: any) => [r.event_id, r.lead_id ?? '', r.event_type, new Date(r.occurred_at).toISOString()]);
        if (page.length < EXPORT_CHUNK) return;
        const last = page[page.length - 1];
        afterAt = new Date(last.occurred_at).toISOString();
        afterId = last.event_id;
      }
    };
    await sendCsv(res, `events-${unit_id}.csv`, ['id', 'lead_id', 'event_type', 'timestamp'], rows());
  }

  @Get('events/:leadID')
  @ApiOperation({ operationId: 'listLeadEvents', summary: 'List events for a lead (OU-scoped)', description: 'Newest first; `limit` 1–100 (default 25); optional `event_type`. 404 when the lead is not in the active OU.' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiErrors(400, 401, 404)
  async ofLead(@Param('leadID') leadId: string, @Query() q: LeadEventsQueryDto): Promise<EventPageDto> {
    const page = pageRequest(q, 25);
    const { events, total } = await this.events.ofLead(leadId, page, q.event_type);
    return pageOf('events', events, total, page);
  }

  @Get('events/:eventID/score-explain')
  @ApiOperation({ operationId: 'getEventScoreExplanation', summary: 'Get event score explanation', description: 'Per-ruleset contribution of one event (rule, weight, multiplier, decay now) and the ruleset score before and after it.' })
  @ApiOkResponse({ type: EventExplanationDto })
  @ApiErrors(400, 401, 404)
  explain(@Param('eventID') eventId: string): Promise<EventExplanationDto> {
    return this.events.explain(eventId);
  }

  @Get('channels')
  @ApiOperation({ operationId: 'listChannels', summary: 'List available channels (OU-scoped)', description: 'Distinct normalised channels observed in the active OU.' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' }, example: ['web', 'email', 'slack'] } })
  @ApiErrors(400, 401)
  async channels(): Promise<string[]> {
    const { unit_id } = tenantKey();
    return (await this.ds.query(`SELECT channel FROM unit_channels WHERE unit_id = $1 ORDER BY first_seen, channel`, [unit_id])).map((r: { channel: string }) => r.channel);
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
  async activity(@Param('leadID') leadId: string, @Query() q: ActivityQueryDto): Promise<ActivityDto> {
    const lead = await this.reader.lead(leadId);
    const now = this.clock.now();
    const { start, end } = activityWindow(q, now);
    const rows = await this.ds.query(
      `SELECT ${EVENT_COLUMNS} FROM lead_events WHERE lead_ref = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at < $3)
          AND ($4::text IS NULL OR channel = $4) ORDER BY occurred_at DESC, event_id DESC LIMIT 1000`,
      [lead.id, start?.toISOString() ?? null, end?.toISOString() ?? null, q.channel && q.channel !== 'all' ? q.channel : null],
    );
    const scores = await this.ds.query(`SELECT event_id, base_points, multiplier, half_life_days, occurred_at FROM event_scores WHERE lead_ref = $1 AND event_id = ANY($2::uuid[])`, [
      lead.id,
      rows.map((r: { event_id: string }) => r.event_id),
    ]);
    const delta = new Map<string, number>();
    for (const s of scores) {
      const points = contributionPoints({ occurred_at: new Date(s.occurred_at), base_points: Number(s.base_points), multiplier: Number(s.multiplier), half_life_days: s.half_life_days }, now);
      delta.set(s.event_id, (delta.get(s.event_id) ?? 0) + points);
    }
    const hasDelta = q.hasDelta === undefined ? undefined : q.hasDelta === '1' || q.hasDelta === 'true';
    const events = rows
      .map((r: any) => ({
        type: 'event',
        ...toEventDto(r),
        score_delta: Math.round((delta.get(r.event_id) ?? 0) * 100) / 100,
        latency_ms: Math.max(0, new Date(r.recorded_at).getTime() - new Date(r.received_at).getTime()),
      }))
      .filter((e: { score_delta: number; latency_ms: number }) => q.minScore === undefined || e.score_delta >= q.minScore)
      .filter((e: { latency_ms: number }) => q.maxLatency === undefined || e.latency_ms <= q.maxLatency)
      .filter((e: { score_delta: number }) => hasDelta === undefined || (e.score_delta !== 0) === hasDelta);
    return { events, orders: [], timeline: [...events].sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0)) };
  }
}

/** ACT-2: the `[start, end)` a range names, in UTC (default last 7 days); `custom` needs both bounds. */
export function activityWindow(q: ActivityQueryDto, now: Date): { start: Date | null; end: Date | null } {
  const range = q.range ?? 'last_7d';
  if (range !== 'custom') return relativeRange(range, now);
  if (!q.start || !q.end) {
    throw AppError.badRequest('validation_failed', 'range=custom needs start and end', [{ field: q.start ? 'end' : 'start', reason: 'is required with range=custom' }]);
  }
  const start = new Date(q.start);
  const end = new Date(q.end);
  if (end <= start) throw AppError.badRequest('validation_failed', 'end must be after start', [{ field: 'end', reason: 'must be after start' }]);
  return { start, end };
}
