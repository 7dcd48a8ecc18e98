import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors, pageRequest, sendCsv } from '../../../platform/http';
import { OuScoped, RequestContext, ViewerMayWrite } from '../../../platform/tenancy';
import { CreateTriggerCommand } from '../commands/create-trigger/create-trigger.command';
import { DeleteTriggerCommand } from '../commands/delete-trigger/delete-trigger.command';
import { UpdateTriggerCommand } from '../commands/update-trigger/update-trigger.command';
import { TriggerKind } from '../domain';
import { TriggerHistory } from '../queries/trigger-history.service';
import {
  toMilestoneEventView,
  toMilestoneTriggerView,
  toPatternTriggerView,
  toSequenceEventView,
  toSequenceTriggerView,
  TriggerRow,
} from '../queries/trigger-views';
import { TriggersReader } from '../queries/triggers.reader';
import {
  CreateMilestoneTriggerDto,
  CreatePatternTriggerDto,
  CreateSequenceTriggerDto,
  MilestoneEventDto,
  MilestoneEventsExportQueryDto,
  MilestoneEventsQueryDto,
  MilestoneTriggerDto,
  PatternTriggerDto,
  SequenceEventDto,
  SequenceEventsExportQueryDto,
  SequenceEventsQueryDto,
  SequenceTriggerDto,
  SimulateTriggerDto,
  TriggerHealthDto,
  TriggerSimulationDto,
  UpdateMilestoneTriggerDto,
  UpdatePatternTriggerDto,
  UpdateSequenceTriggerDto,
} from './triggers.dto';

const DEFAULT_DAYS = 30;
/** MS-9 / SEQ-5: firing lists page by 25 up to 100 */
const EVENTS_DEFAULT_LIMIT = 25;
const TOTAL_HEADER = { 'X-Total-Count': { description: 'Events matching the filters', schema: { type: 'integer' } } };
export const MILESTONE_EXPORT_COLUMNS = ['id', 'trigger_id', 'trigger_name', 'lead_id', 'score', 'event_type', 'fired_at'];
export const SEQUENCE_EXPORT_COLUMNS = ['id', 'sequence_id', 'sequence_name', 'lead_id', 'event_types', 'fired_at'];

/** Shared by the three trigger controllers: reads, commands and simulate of one kind. */
abstract class TriggerRoutes {
  protected abstract readonly kind: TriggerKind;

  constructor(
    protected readonly commands: CommandBus,
    protected readonly triggers: TriggersReader,
    protected readonly history: TriggerHistory,
  ) {}

  protected async created(body: object): Promise<TriggerRow> {
    const { triggerId } = await this.commands.execute(new CreateTriggerCommand(this.kind, body));
    return this.triggers.get(this.kind, triggerId);
  }

  protected async updated(id: string, body: object): Promise<TriggerRow> {
    await this.commands.execute(new UpdateTriggerCommand(this.kind, id, body));
    return this.triggers.get(this.kind, id);
  }

  protected remove(id: string): Promise<void> {
    return this.commands.execute(new DeleteTriggerCommand(this.kind, id));
  }

  protected async healthOf(id: string): Promise<TriggerHealthDto> {
    const t = await this.triggers.get(this.kind, id);
    return this.triggers.health(this.kind, t.id);
  }

  protected async simulateOf(id: string, body: SimulateTriggerDto): Promise<TriggerSimulationDto> {
    const t = await this.triggers.get(this.kind, id);
    const leadId = body.lead_id?.trim();
    const result = await this.history.simulate(t, body.days ?? DEFAULT_DAYS, leadId);
    RequestContext.describe({
      verb: 'simulated',
      entityType: `${this.kind}_trigger`,
      entityId: t.id,
      summary: `simulated ${this.kind} trigger '${t.name}'${leadId ? ` for lead ${leadId}` : ''}`,
    });
    return result;
  }
}

/** Milestone triggers (MS-1..11): the score of a lead crossing a threshold. */
@ApiTags('Triggers')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('triggers')
export class MilestoneTriggersController extends TriggerRoutes {
  protected readonly kind = 'milestone' as const;

  constructor(commands: CommandBus, triggers: TriggersReader, history: TriggerHistory) {
    super(commands, triggers, history);
  }

  @Get()
  @ApiOperation({
    operationId: 'listMilestoneTriggers',
    summary: 'List milestone triggers (OU-scoped)',
    description: 'Milestone triggers of the active OU, newest first.',
  })
  @ApiOkResponse({ type: [MilestoneTriggerDto] })
  @ApiErrors(400, 401)
  async list(): Promise<MilestoneTriggerDto[]> {
    return (await this.triggers.list(this.kind)).map(toMilestoneTriggerView);
  }

  @Post()
  @ApiOperation({
    operationId: 'createMilestoneTrigger',
    summary: 'Create milestone trigger (OU-scoped)',
    description:
      "Fires when an event (of event_type; '' = any) moves a lead's primary engagement score from below score_threshold to at least it (MS-3). fire_mode once (default) fires once per lead; always fires on every crossing, at most once per cooldown_seconds. active:false saves it paused.",
  })
  @ApiCreatedResponse({ type: MilestoneTriggerDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateMilestoneTriggerDto): Promise<MilestoneTriggerDto> {
    return toMilestoneTriggerView(await this.created(body));
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateMilestoneTrigger',
    summary: 'Update milestone trigger (OU-scoped)',
    description: 'Partial update: omitted fields are unchanged, null clears a destination. Answers the updated trigger.',
  })
  @ApiOkResponse({ type: MilestoneTriggerDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateMilestoneTriggerDto): Promise<MilestoneTriggerDto> {
    return toMilestoneTriggerView(await this.updated(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteMilestoneTrigger',
    summary: 'Delete milestone trigger (OU-scoped)',
    description: 'Irreversible. Recorded milestone events and notifications are kept.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async delete(@Param('id') id: string): Promise<void> {
    await this.remove(id);
  }

  @Get(':id/health')
  @ApiOperation({
    operationId: 'getMilestoneTriggerHealth',
    summary: 'Get health for a milestone trigger (OU-scoped)',
    description: '24-hour delivery counts, the last failure and the 10 most recent attempts (TRG-H). 404 when the trigger is not in the active OU.',
  })
  @ApiOkResponse({ type: TriggerHealthDto })
  @ApiErrors(401, 404)
  health(@Param('id') id: string): Promise<TriggerHealthDto> {
    return this.healthOf(id);
  }

  @Post(':id/simulate')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'simulateMilestoneTrigger',
    summary: 'Simulate a milestone trigger (OU-scoped)',
    description:
      "Replays the scored history of one lead (lead_id) or of every lead active in the last `days` days (1–90, default 30) through the trigger's detection and counts the firings in that period. Nothing is sent or changed. Unknown lead → 404.",
  })
  @ApiOkResponse({ type: TriggerSimulationDto })
  @ApiErrors(400, 401, 404)
  simulate(@Param('id') id: string, @Body() body: SimulateTriggerDto): Promise<TriggerSimulationDto> {
    return this.simulateOf(id, body);
  }
}

/** One record per "Milestone Reached" (MS-9), and its CSV export. */
@ApiTags('Triggers')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('milestone-events')
export class MilestoneEventsController {
  constructor(private readonly triggers: TriggersReader) {}

  @Get()
  @ApiOperation({
    operationId: 'listMilestoneEvents',
    summary: 'List emitted milestone events (OU-scoped)',
    description: 'Newest first; `limit` 1–100 (default 25), optional `trigger_id`. The total is in the X-Total-Count header.',
  })
  @ApiOkResponse({ type: [MilestoneEventDto], headers: TOTAL_HEADER })
  @ApiErrors(400, 401)
  async list(@Query() q: MilestoneEventsQueryDto, @Res({ passthrough: true }) res: Response): Promise<MilestoneEventDto[]> {
    const { items, total } = await this.triggers.milestoneEvents(q.trigger_id, pageRequest(q, EVENTS_DEFAULT_LIMIT));
    res.header('X-Total-Count', String(total));
    return items.map(toMilestoneEventView);
  }

  @Get('export')
  @ApiOperation({
    operationId: 'exportMilestoneEvents',
    summary: 'Export milestone events (OU-scoped)',
    description: `CSV (\`${MILESTONE_EXPORT_COLUMNS.join(',')}\`) of the active OU's milestone events, newest first, streamed; optional \`trigger_id\`.`,
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiErrors(400, 401)
  async export(@Query() q: MilestoneEventsExportQueryDto, @Res() res: Response): Promise<void> {
    await sendCsv(res, `milestone-events-${RequestContext.unitId()}.csv`, MILESTONE_EXPORT_COLUMNS, this.triggers.exportMilestoneEvents(q.trigger_id));
  }
}

/** Sequence triggers (SEQ-1..6): a lead completing listed events within a window. */
@ApiTags('Sequences')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('sequences')
export class SequencesController extends TriggerRoutes {
  protected readonly kind = 'sequence' as const;

  constructor(commands: CommandBus, triggers: TriggersReader, history: TriggerHistory) {
    super(commands, triggers, history);
  }

  @Get()
  @ApiOperation({
    operationId: 'listSequenceTriggers',
    summary: 'List sequence triggers (OU-scoped)',
    description: 'Sequence triggers of the active OU, newest first.',
  })
  @ApiOkResponse({ type: [SequenceTriggerDto] })
  @ApiErrors(400, 401)
  async list(): Promise<SequenceTriggerDto[]> {
    return (await this.triggers.list(this.kind)).map(toSequenceTriggerView);
  }

  @Post()
  @ApiOperation({
    operationId: 'createSequenceTrigger',
    summary: 'Create sequence trigger (OU-scoped)',
    description:
      'Fires when a lead completes every listed event type within window_seconds — in the listed order when `ordered` (SEQ-3). fire_mode once (default) fires once per lead; always fires again on a fresh set of events.',
  })
  @ApiCreatedResponse({ type: SequenceTriggerDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateSequenceTriggerDto): Promise<SequenceTriggerDto> {
    return toSequenceTriggerView(await this.created(body));
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateSequenceTrigger',
    summary: 'Update sequence trigger (OU-scoped)',
    description: 'Partial update; answers the updated trigger.',
  })
  @ApiOkResponse({ type: SequenceTriggerDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateSequenceTriggerDto): Promise<SequenceTriggerDto> {
    return toSequenceTriggerView(await this.updated(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteSequenceTrigger',
    summary: 'Delete sequence trigger (OU-scoped)',
    description: 'Irreversible. Recorded sequence events are kept.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async delete(@Param('id') id: string): Promise<void> {
    await this.remove(id);
  }

  @Get(':id/health')
  @ApiOperation({
    operationId: 'getSequenceTriggerHealth',
    summary: 'Get health for a sequence trigger (OU-scoped)',
    description: '24-hour delivery counts, the last failure and the 10 most recent attempts (TRG-H). 404 when the trigger is not in the active OU.',
  })
  @ApiOkResponse({ type: TriggerHealthDto })
  @ApiErrors(401, 404)
  health(@Param('id') id: string): Promise<TriggerHealthDto> {
    return this.healthOf(id);
  }

  @Post(':id/simulate')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'simulateSequenceTrigger',
    summary: 'Simulate a sequence trigger (OU-scoped)',
    description:
      "Runs the trigger's detection over the kept events of the last `days` days (1–90, default 30) of one lead or of every lead. Nothing is sent or changed. Unknown lead → 404.",
  })
  @ApiOkResponse({ type: TriggerSimulationDto })
  @ApiErrors(400, 401, 404)
  simulate(@Param('id') id: string, @Body() body: SimulateTriggerDto): Promise<TriggerSimulationDto> {
    return this.simulateOf(id, body);
  }
}

/** One record per completed sequence (SEQ-5), and its CSV export. */
@ApiTags('Sequences')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('sequence-events')
export class SequenceEventsController {
  constructor(private readonly triggers: TriggersReader) {}

  @Get()
  @ApiOperation({
    operationId: 'listSequenceEvents',
    summary: 'List emitted sequence events (OU-scoped)',
    description: 'Newest first; `limit` 1–100 (default 25), optional `sequence_id`. The total is in the X-Total-Count header.',
  })
  @ApiOkResponse({ type: [SequenceEventDto], headers: TOTAL_HEADER })
  @ApiErrors(400, 401)
  async list(@Query() q: SequenceEventsQueryDto, @Res({ passthrough: true }) res: Response): Promise<SequenceEventDto[]> {
    const { items, total } = await this.triggers.sequenceEvents(q.sequence_id, pageRequest(q, EVENTS_DEFAULT_LIMIT));
    res.header('X-Total-Count', String(total));
    return items.map(toSequenceEventView);
  }

  @Get('export')
  @ApiOperation({
    operationId: 'exportSequenceEvents',
    summary: 'Export sequence events (OU-scoped)',
    description: `CSV (\`${SEQUENCE_EXPORT_COLUMNS.join(',')}\`, event types joined by |) of the active OU's sequence events, newest first, streamed; optional \`sequence_id\`.`,
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiErrors(400, 401)
  async export(@Query() q: SequenceEventsExportQueryDto, @Res() res: Response): Promise<void> {
    await sendCsv(res, `sequence-events-${RequestContext.unitId()}.csv`, SEQUENCE_EXPORT_COLUMNS, this.triggers.exportSequenceEvents(q.sequence_id));
  }
}

/** Pattern / frequency triggers (PAT-T1). */
@ApiTags('Triggers')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('pattern-triggers')
export class PatternTriggersController extends TriggerRoutes {
  protected readonly kind = 'pattern' as const;

  constructor(commands: CommandBus, triggers: TriggersReader, history: TriggerHistory) {
    super(commands, triggers, history);
  }

  @Get()
  @ApiOperation({
    operationId: 'listPatternTriggers',
    summary: 'List pattern/frequency triggers (OU-scoped)',
    description: 'Pattern triggers of the active OU, newest first, each with frequency_count (firings in the last 30 days).',
  })
  @ApiOkResponse({ type: [PatternTriggerDto] })
  @ApiErrors(400, 401)
  async list(): Promise<PatternTriggerDto[]> {
    return (await this.triggers.list(this.kind)).map(toPatternTriggerView);
  }

  @Post()
  @ApiOperation({
    operationId: 'createPatternTrigger',
    summary: 'Create pattern trigger (OU-scoped)',
    description: "Fires when, for one lead, every condition's min_count events of its event_type occur within window_seconds; the events counted are consumed.",
  })
  @ApiCreatedResponse({ type: PatternTriggerDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreatePatternTriggerDto): Promise<PatternTriggerDto> {
    return toPatternTriggerView(await this.created(body));
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updatePatternTrigger',
    summary: 'Update pattern trigger (OU-scoped)',
    description: 'Partial update; answers the updated trigger.',
  })
  @ApiOkResponse({ type: PatternTriggerDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdatePatternTriggerDto): Promise<PatternTriggerDto> {
    await this.updated(id, body);
    return toPatternTriggerView((await this.triggers.list(this.kind)).find((t) => t.id === id)!);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deletePatternTrigger', summary: 'Delete pattern trigger (OU-scoped)', description: 'Irreversible. Recorded firings are kept.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async delete(@Param('id') id: string): Promise<void> {
    await this.remove(id);
  }
}
