import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors } from '../../../platform/http';
import { RequestContext, OuScoped, ViewerMayWrite } from '../../../platform/tenancy';
import { CreateSurgeTriggerCommand } from '../commands/create-surge-trigger/create-surge-trigger.command';
import { DeleteSurgeTriggerCommand } from '../commands/delete-surge-trigger/delete-surge-trigger.command';
import { UpdateSurgeTriggerCommand } from '../commands/update-surge-trigger/update-surge-trigger.command';
import { SurgeHistory } from '../queries/surge-history.service';
import { SurgeTriggersReader } from '../queries/surge-triggers.reader';
import { toSurgeTriggerView, WEBHOOK_URL_DEPRECATION } from '../surge.mappers';
import {
  CreateSurgeTriggerDto,
  PreviewSurgeTriggerDto,
  SimulateSurgeTriggerDto,
  SurgePreviewDto,
  SurgeSimulationDto,
  SurgeTriggerDto,
  SurgeTriggerHealthDto,
  UpdateSurgeTriggerDto,
} from './surge.dto';

const DEFAULT_DAYS = 30;

/** Surge triggers (SUR-1..SUR-8): configuration, backtests and delivery health of the active OU. */
@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('surge-triggers')
export class SurgeTriggersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly triggers: SurgeTriggersReader,
    private readonly history: SurgeHistory,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listSurgeTriggers',
    summary: 'List surge triggers (OU-scoped)',
    description: 'Returns all surge triggers for the active organizational unit, newest first.',
  })
  @ApiOkResponse({ type: [SurgeTriggerDto] })
  @ApiErrors(400, 401)
  async list(): Promise<SurgeTriggerDto[]> {
    return (await this.triggers.list()).map(toSurgeTriggerView);
  }

  @Post()
  @ApiOperation({
    operationId: 'createSurgeTrigger',
    summary: 'Create surge trigger (OU-scoped)',
    description:
      'Fires when a lead produces threshold_count or more matching events within window_seconds. An active trigger needs a destination (400 otherwise); webhook_url is deprecated and answered with a warning.',
  })
  @ApiCreatedResponse({ type: SurgeTriggerDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateSurgeTriggerDto): Promise<SurgeTriggerDto> {
    const { triggerId } = await this.commands.execute(new CreateSurgeTriggerCommand(body));
    return toSurgeTriggerView(await this.triggers.get(triggerId));
  }

  @Put(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'updateSurgeTrigger',
    summary: 'Update surge trigger',
    description:
      'Partial update (omitted fields are unchanged, null clears a destination) answering 204 No Content. Setting webhook_url adds a `Warning: 299` deprecation header.',
  })
  @ApiNoContentResponse({
    description: 'Updated',
    headers: { Warning: { description: 'Deprecation notice when the trigger uses webhook_url', schema: { type: 'string' } } },
  })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateSurgeTriggerDto, @Res({ passthrough: true }) res: Response): Promise<void> {
    const { usesWebhookUrl } = await this.commands.execute(new UpdateSurgeTriggerCommand(id, body));
    if (usesWebhookUrl) res.header('Warning', `299 kenbun "${WEBHOOK_URL_DEPRECATION}"`);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteSurgeTrigger',
    summary: 'Delete surge trigger',
    description: 'Irreversible. Recorded surge events and delivery attempts are kept.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteSurgeTriggerCommand(id));
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'previewSurgeTrigger',
    summary: 'Preview (backtest) a surge trigger',
    description:
      'Backtests the trigger against the last N days (1–90, default 30) of kept events of the active OU. Returns the number of times it would have fired and up to 10 lead ids. No notifications are sent and the trigger state is not modified.',
  })
  @ApiOkResponse({ type: SurgePreviewDto })
  @ApiErrors(400, 401, 404)
  async preview(@Param('id') id: string, @Body() body: PreviewSurgeTriggerDto): Promise<SurgePreviewDto> {
    const trigger = await this.triggers.get(id);
    const preview = await this.history.preview(trigger, body.days ?? DEFAULT_DAYS);
    RequestContext.describe({ verb: 'previewed', entityType: 'surge_trigger', entityId: trigger.id, summary: `previewed surge trigger '${trigger.name}'` });
    return preview;
  }

  @Get(':id/health')
  @ApiOperation({
    operationId: 'getSurgeTriggerHealth',
    summary: 'Get health for a surge trigger (OU-scoped)',
    description:
      'Returns 24-hour delivery aggregate stats and the 10 most recent notification attempts for a surge trigger. 404 when the trigger is not in the active OU.',
  })
  @ApiOkResponse({ type: SurgeTriggerHealthDto })
  @ApiErrors(401, 404)
  async health(@Param('id') id: string): Promise<SurgeTriggerHealthDto> {
    return this.triggers.health(await this.triggers.get(id));
  }

  @Post(':id/simulate')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'simulateSurgeTrigger',
    summary: 'Simulate a surge trigger against a specific lead',
    description:
      "Runs the trigger over one lead's kept events of the last N days (1–90, default 30): whether and how often it would have fired, and the windows that reached the threshold. Nothing is sent or changed. Unknown lead → 404.",
  })
  @ApiOkResponse({ type: SurgeSimulationDto })
  @ApiErrors(400, 401, 404)
  async simulate(@Param('id') id: string, @Body() body: SimulateSurgeTriggerDto): Promise<SurgeSimulationDto> {
    const trigger = await this.triggers.get(id);
    const leadId = body.lead_id.trim();
    const simulation = await this.history.simulate(trigger, body.days ?? DEFAULT_DAYS, leadId);
    RequestContext.describe({
      verb: 'simulated',
      entityType: 'surge_trigger',
      entityId: trigger.id,
      summary: `simulated surge trigger '${trigger.name}' for lead ${leadId}`,
    });
    return simulation;
  }
}
