import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { AppError } from '../../../platform/http/app-error';
import { ApiErrors } from '../../../platform/http/error-response.dto';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { OuScoped, ViewerMayWrite } from '../../../platform/tenancy/tenancy.decorators';
import { inUnit } from '../../../platform/tenancy/tenant-scope';
import { newId } from '../../identity/domain/credentials';
import { Condition, canonicalEventType } from '../../scoring';
import { MetadataFilter } from '../entities/metadata-filter.entity';
import { VelocityFilter } from '../entities/velocity-filter.entity';
import { MetadataFilterStats } from '../metadata-filter-stats.service';
import { ConditionDto } from '../../rulesets/http/condition.dto';
import {
  CreateMetadataFilterDto,
  CreateVelocityFilterDto,
  MetadataFilterDto,
  MetadataFilterPreviewDto,
  MetadataFilterPreviewResultDto,
  UpdateMetadataFilterDto,
  UpdateVelocityFilterDto,
  VelocityFilterDto,
} from './filters.dto';

const actor = () => RequestContext.actor();
const conditions = (list: ConditionDto[]): Condition[] => list.map((c) => ({ key: c.key, operator: c.operator, ...(c.value !== undefined ? { value: c.value } : {}) }));

const toVelocity = (f: VelocityFilter): VelocityFilterDto => ({
  filter_id: f.id,
  event_type: f.eventType,
  count_threshold: f.countThreshold,
  time_window_ms: f.timeWindowMs,
  group_events: f.groupEvents,
  org_id: f.orgId,
  unit_id: f.unitId,
  created_by: f.createdBy,
  updated_by: f.updatedBy,
  created_at: f.createdAt.toISOString(),
  updated_at: f.updatedAt.toISOString(),
});

/** `suppressed`: events this filter suppressed, counted on read (MF-7, per filter). */
const toMetadata = (f: MetadataFilter, suppressed: number): MetadataFilterDto => ({
  id: f.id,
  unit_id: f.unitId,
  name: f.name,
  event_type: f.eventType,
  conditions: f.conditions,
  enabled: f.enabled,
  suppressed_count: suppressed,
  created_by: f.createdBy,
  updated_by: f.updatedBy,
  created_at: f.createdAt.toISOString(),
  updated_at: f.updatedAt.toISOString(),
});

/** Inorganic activity (velocity) filters: bot-like bursts of one event type per lead are suppressed. */
@ApiTags('Filters')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('filters')
export class VelocityFiltersController {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(VelocityFilter);
  }

  private async find(id: string): Promise<VelocityFilter> {
    const f = await this.repo.findOneBy(inUnit({ id }));
    if (!f) throw AppError.notFound('filter', 'filter_not_found');
    return f;
  }

  @Get()
  @ApiOperation({ operationId: 'listInorganicFilters', summary: 'List inorganic filters (OU-scoped)', description: 'Velocity filters of the active OU, newest first.' })
  @ApiOkResponse({ type: [VelocityFilterDto] })
  @ApiErrors(400, 401)
  async list(): Promise<VelocityFilterDto[]> {
    return (await this.repo.find({ where: inUnit(), order: { createdAt: 'DESC', id: 'ASC' } })).map(toVelocity);
  }

  @Post()
  @ApiOperation({ operationId: 'createInorganicFilter', summary: 'Create inorganic filter (OU-scoped)', description: 'Once a lead has more than count_threshold events of the type within time_window_ms, later ones are suppressed (group_events keeps the first of a burst).' })
  @ApiCreatedResponse({ type: VelocityFilterDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateVelocityFilterDto): Promise<VelocityFilterDto> {
    const { orgId, unitId } = inUnit();
    const f = this.repo.create({
      id: newId('vf'),
      orgId,
      unitId,
      eventType: body.event_type.trim(),
      eventTypeKey: canonicalEventType(body.event_type),
      countThreshold: body.count_threshold,
      timeWindowMs: body.time_window_ms,
      groupEvents: body.group_events ?? false,
      createdBy: actor(),
      updatedBy: actor(),
    });
    await this.repo.save(f);
    RequestContext.describe({ entityType: 'inorganic_filter', entityId: f.id, summary: `created inorganic filter on '${f.eventType}' (${f.countThreshold} per ${f.timeWindowMs} ms)` });
    return toVelocity(await this.find(f.id));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateInorganicFilter', summary: 'Update inorganic filter (OU-scoped)', description: 'Partial update.' })
  @ApiOkResponse({ type: VelocityFilterDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateVelocityFilterDto): Promise<VelocityFilterDto> {
    const f = await this.find(id);
    if (body.event_type !== undefined) {
      f.eventType = body.event_type.trim();
      f.eventTypeKey = canonicalEventType(body.event_type);
    }
    if (body.count_threshold !== undefined) f.countThreshold = body.count_threshold;
    if (body.time_window_ms !== undefined) f.timeWindowMs = body.time_window_ms;
    if (body.group_events !== undefined) f.groupEvents = body.group_events;
    f.updatedBy = actor();
    await this.repo.save(f);
    RequestContext.describe({ entityType: 'inorganic_filter', entityId: f.id, summary: `updated inorganic filter on '${f.eventType}'` });
    return toVelocity(await this.find(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteInorganicFilter', summary: 'Delete inorganic filter (OU-scoped)', description: 'Events already suppressed stay suppressed.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    const f = await this.find(id);
    await this.repo.delete({ id: f.id });
    RequestContext.describe({ entityType: 'inorganic_filter', entityId: f.id, summary: `deleted inorganic filter on '${f.eventType}'` });
  }
}

/** Attribute (metadata) filters: events whose metadata meets every condition are suppressed, before velocity filters. */
@ApiTags('MetadataFilters')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('metadata-filters')
export class MetadataFiltersController {
  constructor(private readonly ds: DataSource, private readonly stats: MetadataFilterStats) {}

  private get repo() {
    return this.ds.getRepository(MetadataFilter);
  }

  private async find(id: string): Promise<MetadataFilter> {
    const f = await this.repo.findOneBy(inUnit({ id }));
    if (!f) throw AppError.notFound('filter', 'filter_not_found');
    return f;
  }

  private async dto(f: MetadataFilter): Promise<MetadataFilterDto> {
    return toMetadata(f, (await this.stats.suppressedCounts([f.id])).get(f.id) ?? 0);
  }

  @Get()
  @ApiOperation({ operationId: 'listMetadataFilters', summary: 'List attribute based filters (OU-scoped)', description: 'Enabled first, then most recently updated first.' })
  @ApiOkResponse({ type: [MetadataFilterDto] })
  @ApiErrors(400, 401)
  async list(): Promise<MetadataFilterDto[]> {
    const filters = await this.repo.find({ where: inUnit(), order: { enabled: 'DESC', updatedAt: 'DESC', createdAt: 'DESC', id: 'ASC' } });
    const counts = await this.stats.suppressedCounts(filters.map((f) => f.id));
    return filters.map((f) => toMetadata(f, counts.get(f.id) ?? 0));
  }

  @Post('preview')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'previewMetadataFilter',
    summary: 'Preview suppression count for given conditions (OU-scoped)',
    description:
      'How many of the active OU’s stored events a filter with these conditions (AND-ed, optionally scoped to one event type) would suppress, evaluated like the live pipeline. Nothing is persisted; a dry run, so Viewers may use it.',
  })
  @ApiOkResponse({ type: MetadataFilterPreviewResultDto })
  @ApiErrors(400, 401)
  async preview(@Body() body: MetadataFilterPreviewDto): Promise<MetadataFilterPreviewResultDto> {
    const count = await this.stats.previewCount(body.event_type?.trim() || undefined, conditions(body.conditions));
    RequestContext.describe({ verb: 'viewed', entityType: 'metadata_filter', summary: `previewed an attribute filter (${count} event(s) would be suppressed)` });
    return { count };
  }

  @Post()
  @ApiOperation({ operationId: 'createMetadataFilter', summary: 'Create attribute based filter (OU-scoped)', description: 'Conditions are AND-ed; an empty event_type applies to every type.' })
  @ApiCreatedResponse({ type: MetadataFilterDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateMetadataFilterDto): Promise<MetadataFilterDto> {
    const { orgId, unitId } = inUnit();
    const f = this.repo.create({
      id: newId('mf'),
      orgId,
      unitId,
      name: body.name.trim(),
      eventType: (body.event_type ?? '').trim(),
      conditions: conditions(body.conditions),
      enabled: body.enabled ?? true,
      suppressedCount: 0,
      createdBy: actor(),
      updatedBy: actor(),
    });
    await this.repo.save(f);
    RequestContext.describe({ entityType: 'metadata_filter', entityId: f.id, summary: `created attribute filter '${f.name}'` });
    return this.dto(await this.find(f.id));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMetadataFilter', summary: 'Get attribute based filter (OU-scoped)', description: 'One filter with its suppressed count.' })
  @ApiOkResponse({ type: MetadataFilterDto })
  @ApiErrors(401, 404)
  async get(@Param('id') id: string): Promise<MetadataFilterDto> {
    return this.dto(await this.find(id));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateMetadataFilter', summary: 'Update attribute based filter (OU-scoped)', description: 'name is required; other fields are unchanged when omitted.' })
  @ApiOkResponse({ type: MetadataFilterDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateMetadataFilterDto): Promise<MetadataFilterDto> {
    const f = await this.find(id);
    f.name = body.name.trim();
    if (body.event_type !== undefined) f.eventType = body.event_type.trim();
    if (body.conditions !== undefined) f.conditions = conditions(body.conditions);
    if (body.enabled !== undefined) f.enabled = body.enabled;
    f.updatedBy = actor();
    await this.repo.save(f);
    RequestContext.describe({ entityType: 'metadata_filter', entityId: f.id, summary: `updated attribute filter '${f.name}'` });
    return this.dto(await this.find(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteMetadataFilter', summary: 'Delete attribute based filter (OU-scoped)', description: 'Events already suppressed stay suppressed.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    const f = await this.find(id);
    await this.repo.delete({ id: f.id });
    RequestContext.describe({ entityType: 'metadata_filter', entityId: f.id, summary: `deleted attribute filter '${f.name}'` });
  }
}
