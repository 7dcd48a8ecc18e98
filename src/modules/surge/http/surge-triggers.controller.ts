import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { AppError } from '../../../platform/http/app-error';
import { ApiErrors } from '../../../platform/http/error-response.dto';
import { isoOrNull } from '../../../platform/http/iso-date';
import { pageRequest } from '../../../platform/http/pagination';
import { ServerKeys } from '../../../platform/security/server-keys.service';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { OuScoped, ViewerMayWrite } from '../../../platform/tenancy/tenancy.decorators';
import { inUnit, tenantKey } from '../../../platform/tenancy/tenant-scope';
import { newId } from '../../identity/domain/credentials';
import { canonicalEventType } from '../../scoring';
import { maskSecret, sealSecret } from '../../../platform/security/secret-box';
import { SurgeTrigger } from '../entities/surge-trigger.entity';
import { SurgeHistory } from '../surge-history.service';
import {
  CreateSurgeTriggerDto,
  PreviewSurgeTriggerDto,
  SimulateSurgeTriggerDto,
  SurgeEventDto,
  SurgeEventsQueryDto,
  SurgePreviewDto,
  SurgeSimulationDto,
  SurgeTriggerDto,
  SurgeTriggerHealthDto,
  UpdateSurgeTriggerDto,
} from './surge.dto';

export const WEBHOOK_URL_DEPRECATION = 'webhook_url is deprecated: save a Notification Channel and set notification_channel_id instead';
const DEFAULT_DAYS = 30;
const SAMPLE_LEADS = 10;

const actor = () => RequestContext.actor();

const toDto = (t: SurgeTrigger): SurgeTriggerDto => ({
  trigger_id: t.id,
  name: t.name,
  event_type: t.eventType,
  window_seconds: t.windowSeconds,
  window_unit: t.windowUnit,
  threshold_count: t.thresholdCount,
  active: t.active,
  notification_channel_id: t.notificationChannelId,
  webhook_url: t.webhookUrl,
  webhook_auth_header: t.webhookAuthHeaderEnc ? t.webhookAuthHeaderMask : null,
  emails: t.emails,
  slack_target_kind: t.slackTargetKind,
  slack_target_id: t.slackTargetId,
  teams_webhook_url: t.teamsWebhookUrl,
  warnings: t.webhookUrl ? [WEBHOOK_URL_DEPRECATION] : [],
  created_by: t.createdBy,
  updated_by: t.updatedBy,
  created_at: t.createdAt.toISOString(),
  updated_at: t.updatedAt.toISOString(),
});

const hasDestination = (t: SurgeTrigger) =>
  Boolean(t.notificationChannelId || t.webhookUrl || t.teamsWebhookUrl || t.slackTargetId || t.emails.length);

const describeRule = (t: SurgeTrigger) => `${t.thresholdCount}+ ${t.eventType || 'events'} within ${t.windowSeconds} s`;

/** Surge triggers (SUR-1..SUR-8): configuration, backtests and delivery health of the active OU. */
@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('surge-triggers')
export class SurgeTriggersController {
  constructor(private readonly ds: DataSource, private readonly keys: ServerKeys, private readonly history: SurgeHistory, private readonly clock: Clock) {}

  private get repo() {
    return this.ds.getRepository(SurgeTrigger);
  }

  private async find(id: string): Promise<SurgeTrigger> {
    const t = await this.repo.findOneBy(inUnit({ id }));
    if (!t) throw AppError.notFound('surge trigger', 'surge_trigger_not_found');
    return t;
  }

  /** Applies the fields present in `body` (null clears a nullable field), then checks the whole trigger. */
  private apply(t: SurgeTrigger, body: UpdateSurgeTriggerDto): void {
    if (body.event_type !== undefined) {
      t.eventType = body.event_type.trim();
      t.eventTypeKey = canonicalEventType(t.eventType);
    }
    if (body.window_seconds !== undefined) t.windowSeconds = body.window_seconds;
    if (body.threshold_count !== undefined) t.thresholdCount = body.threshold_count;
    if (body.window_unit !== undefined) t.windowUnit = body.window_unit;
    if (body.active !== undefined) t.active = body.active;
    if (body.notification_channel_id !== undefined) t.notificationChannelId = body.notification_channel_id;
    if (body.webhook_url !== undefined) t.webhookUrl = body.webhook_url || null;
    if (body.webhook_auth_header !== undefined) {
      const h = body.webhook_auth_header?.trim() || null;
      t.webhookAuthHeaderEnc = h ? sealSecret(this.keys.fieldEncryptionKey, h) : null;
      t.webhookAuthHeaderMask = h ? maskSecret(h) : null;
    }
    if (body.emails !== undefined) t.emails = [...new Set(body.emails.map((e) => e.trim().toLowerCase()))];
    if (body.slack_target_id !== undefined) t.slackTargetId = body.slack_target_id?.trim() || null;
    if (body.slack_target_kind !== undefined) t.slackTargetKind = body.slack_target_kind;
    if (t.slackTargetId && !t.slackTargetKind) t.slackTargetKind = 'channel';
    if (!t.slackTargetId) t.slackTargetKind = null;
    if (body.teams_webhook_url !== undefined) t.teamsWebhookUrl = body.teams_webhook_url || null;
    if (body.name !== undefined) t.name = body.name.trim();

    if (t.notificationChannelId) {
      // Notification channels (NC-1) are not built yet: no id can belong to the active OU.
      throw AppError.badRequest('unknown_notification_channel', 'notification_channel_id does not name a notification channel of the active OU', [
        { field: 'notification_channel_id', reason: 'unknown notification channel' },
      ]);
    }
    if (t.active && !hasDestination(t)) {
      throw AppError.badRequest(
        'destination_required',
        'an active surge trigger needs a destination (notification_channel_id, webhook_url, teams_webhook_url, slack_target_id or emails); pass active:false to save a draft',
        [{ field: 'active', reason: 'active trigger without destination' }],
      );
    }
  }

  @Get()
  @ApiOperation({ operationId: 'listSurgeTriggers', summary: 'List surge triggers (OU-scoped)', description: 'Returns all surge triggers for the active organizational unit, newest first.' })
  @ApiOkResponse({ type: [SurgeTriggerDto] })
  @ApiErrors(400, 401)
  async list(): Promise<SurgeTriggerDto[]> {
    return (await this.repo.find({ where: inUnit(), order: { createdAt: 'DESC', id: 'ASC' } })).map(toDto);
  }

  @Post()
  @ApiOperation({
    operationId: 'createSurgeTrigger',
    summary: 'Create surge trigger (OU-scoped)',
    description: 'Fires when a lead produces threshold_count or more matching events within window_seconds. An active trigger needs a destination (400 otherwise); webhook_url is deprecated and answered with a warning.',
  })
  @ApiCreatedResponse({ type: SurgeTriggerDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateSurgeTriggerDto): Promise<SurgeTriggerDto> {
    const { orgId, unitId } = inUnit();
    const t = this.repo.create({
      id: newId('srg'),
      orgId,
      unitId,
      name: '',
      eventType: '',
      eventTypeKey: '',
      windowSeconds: body.window_seconds,
      windowUnit: 'seconds',
      thresholdCount: body.threshold_count,
      active: true,
      notificationChannelId: null,
      webhookUrl: null,
      webhookAuthHeaderEnc: null,
      webhookAuthHeaderMask: null,
      emails: [],
      slackTargetKind: null,
      slackTargetId: null,
      teamsWebhookUrl: null,
      createdBy: actor(),
      updatedBy: actor(),
    });
    this.apply(t, body);
    if (!t.name) t.name = `Surge: ${describeRule(t)}`;
    await this.repo.save(t);
    RequestContext.describe({ entityType: 'surge_trigger', entityId: t.id, summary: `created surge trigger '${t.name}' (${describeRule(t)})` });
    return toDto(await this.find(t.id));
  }

  @Put(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'updateSurgeTrigger',
    summary: 'Update surge trigger',
    description: 'Partial update (omitted fields are unchanged, null clears a destination) answering 204 No Content. Setting webhook_url adds a `Warning: 299` deprecation header.',
  })
  @ApiNoContentResponse({ description: 'Updated', headers: { Warning: { description: 'Deprecation notice when the trigger uses webhook_url', schema: { type: 'string' } } } })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateSurgeTriggerDto, @Res({ passthrough: true }) res: Response): Promise<void> {
    const t = await this.find(id);
    this.apply(t, body);
    t.updatedBy = actor();
    await this.repo.save(t);
    if (t.webhookUrl) res.setHeader('Warning', `299 kenbun "${WEBHOOK_URL_DEPRECATION}"`);
    RequestContext.describe({ entityType: 'surge_trigger', entityId: t.id, summary: `updated surge trigger '${t.name}'` });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteSurgeTrigger', summary: 'Delete surge trigger', description: 'Irreversible. Recorded surge events and delivery attempts are kept.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    const t = await this.find(id);
    await this.ds.transaction(async (m) => {
      await m.query(`DELETE FROM surge_triggers WHERE id = $1`, [t.id]);
      await m.query(`DELETE FROM surge_recent_events WHERE trigger_id = $1`, [t.id]);
      await m.query(`DELETE FROM surge_lead_state WHERE trigger_id = $1`, [t.id]);
    });
    RequestContext.describe({ entityType: 'surge_trigger', entityId: t.id, summary: `deleted surge trigger '${t.name}'` });
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'previewSurgeTrigger',
    summary: 'Preview (backtest) a surge trigger',
    description: 'Backtests the trigger against the last N days (1–90, default 30) of kept events of the active OU. Returns the number of times it would have fired and up to 10 lead ids. No notifications are sent and the trigger state is not modified.',
  })
  @ApiOkResponse({ type: SurgePreviewDto })
  @ApiErrors(400, 401, 404)
  async preview(@Param('id') id: string, @Body() body: PreviewSurgeTriggerDto): Promise<SurgePreviewDto> {
    const t = await this.find(id);
    const leads = await this.history.backtest(t, body.days ?? DEFAULT_DAYS);
    RequestContext.describe({ verb: 'previewed', entityType: 'surge_trigger', entityId: t.id, summary: `previewed surge trigger '${t.name}'` });
    return { would_fire_count: leads.reduce((n, l) => n + l.windows.length, 0), sample_leads: leads.slice(0, SAMPLE_LEADS).map((l) => l.leadId) };
  }

  @Get(':id/health')
  @ApiOperation({
    operationId: 'getSurgeTriggerHealth',
    summary: 'Get health for a surge trigger (OU-scoped)',
    description: 'Returns 24-hour delivery aggregate stats and the 10 most recent notification attempts for a surge trigger. 404 when the trigger is not in the active OU.',
  })
  @ApiOkResponse({ type: SurgeTriggerHealthDto })
  @ApiErrors(401, 404)
  async health(@Param('id') id: string): Promise<SurgeTriggerHealthDto> {
    const t = await this.find(id);
    const since = new Date(this.clock.now().getTime() - 86_400_000).toISOString();
    const [agg] = await this.ds.query(
      `SELECT count(*) FILTER (WHERE status = 'delivered' AND attempted_at >= $2)::int AS delivered,
              count(*) FILTER (WHERE status = 'failed' AND attempted_at >= $2)::int AS failed
         FROM surge_deliveries WHERE trigger_id = $1`,
      [t.id, since],
    );
    const [lastFailure] = await this.ds.query(`SELECT attempted_at, error FROM surge_deliveries WHERE trigger_id = $1 AND status = 'failed' ORDER BY attempted_at DESC, id DESC LIMIT 1`, [t.id]);
    const recent = await this.ds.query(
      `SELECT id, surge_event_id, destination, status, http_status, error, attempted_at FROM surge_deliveries WHERE trigger_id = $1 ORDER BY attempted_at DESC, id DESC LIMIT 10`,
      [t.id],
    );
    const delivered: number = agg.delivered;
    const failed: number = agg.failed;
    const status = failed > 0 ? (failed >= delivered ? 'red' : 'amber') : delivered > 0 ? 'green' : 'gray';
    return {
      delivered_24h: delivered,
      failed_24h: failed,
      last_failure_at: isoOrNull(lastFailure?.attempted_at),
      last_error: lastFailure?.error ?? null,
      status,
      recent_attempts: recent.map((r: Record<string, any>) => ({ ...r, attempted_at: isoOrNull(r.attempted_at)! })),
    };
  }

  @Post(':id/simulate')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'simulateSurgeTrigger',
    summary: 'Simulate a surge trigger against a specific lead',
    description: "Runs the trigger over one lead's kept events of the last N days (1–90, default 30): whether and how often it would have fired, and the windows that reached the threshold. Nothing is sent or changed. Unknown lead → 404.",
  })
  @ApiOkResponse({ type: SurgeSimulationDto })
  @ApiErrors(400, 401, 404)
  async simulate(@Param('id') id: string, @Body() body: SimulateSurgeTriggerDto): Promise<SurgeSimulationDto> {
    const t = await this.find(id);
    const { unit_id } = tenantKey();
    const [lead] = await this.ds.query(`SELECT id FROM leads WHERE unit_id = $1 AND lead_id = $2`, [unit_id, body.lead_id.trim()]);
    if (!lead) throw AppError.notFound('lead', 'lead_not_found');
    const days = body.days ?? DEFAULT_DAYS;
    const windows = (await this.history.backtest(t, days, lead.id)).flatMap((l) => l.windows);
    RequestContext.describe({ verb: 'simulated', entityType: 'surge_trigger', entityId: t.id, summary: `simulated surge trigger '${t.name}' for lead ${body.lead_id.trim()}` });
    return {
      would_fire: windows.length > 0,
      total_matches: windows.length,
      message: `Trigger would have fired ${windows.length} time(s) for this lead in the last ${days} days`,
      matched_windows: windows.map((w) => ({ start: w.start.toISOString(), end: w.end.toISOString(), event_count: w.event_count })),
    };
  }
}

/** One record per firing (SUR-9). */
@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('surge-events')
export class SurgeEventsController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @ApiOperation({
    operationId: 'listSurgeEvents',
    summary: 'List surge events (OU-scoped)',
    description: 'Surge events of the active OU, newest first (one per firing). start inclusive, end exclusive, both on fired_at. The total count is in the X-Total-Count header.',
  })
  @ApiOkResponse({ type: [SurgeEventDto], headers: { 'X-Total-Count': { description: 'Events matching the filters', schema: { type: 'integer' } } } })
  @ApiErrors(400, 401)
  async list(@Query() q: SurgeEventsQueryDto, @Res({ passthrough: true }) res: Response): Promise<SurgeEventDto[]> {
    const { unit_id } = tenantKey();
    const page = pageRequest(q);
    const where = [`unit_id = $1`];
    const params: unknown[] = [unit_id];
    if (q.start) where.push(`fired_at >= $${params.push(q.start)}`);
    if (q.end) where.push(`fired_at < $${params.push(q.end)}`);
    if (q.channel) where.push(`channel = $${params.push(q.channel)}`);
    const sql = where.join(' AND ');
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM surge_events WHERE ${sql}`, params);
    const rows = await this.ds.query(
      `SELECT id, trigger_id, lead_id, event_type, event_count, window_start, window_end, channel, fired_at
         FROM surge_events WHERE ${sql} ORDER BY fired_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
      params,
    );
    res.setHeader('X-Total-Count', String(total));
    return rows.map((r: Record<string, any>) => ({
      ...r,
      window_start: isoOrNull(r.window_start)!,
      window_end: isoOrNull(r.window_end)!,
      fired_at: isoOrNull(r.fired_at)!,
    }));
  }
}
