import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConditionDto } from '../../scoring';
import { ApiErrors } from '../../../platform/http';
import { RequestContext, OuScoped, ViewerMayWrite } from '../../../platform/tenancy';
import { Condition } from '../../scoring/domain';
import { CreateMetadataFilterCommand } from '../commands/create-metadata-filter/create-metadata-filter.command';
import { DeleteMetadataFilterCommand } from '../commands/delete-metadata-filter/delete-metadata-filter.command';
import { UpdateMetadataFilterCommand } from '../commands/update-metadata-filter/update-metadata-filter.command';
import { FiltersReader } from '../queries/filters.reader';
import { MetadataFilterStats } from '../queries/metadata-filter-stats.service';
import { CreateMetadataFilterDto, MetadataFilterDto, MetadataFilterPreviewDto, MetadataFilterPreviewResultDto, UpdateMetadataFilterDto } from './filters.dto';

/** The domain's conditions from the HTTP shape (an absent value stays absent, not undefined). */
const toConditions = (list: ConditionDto[]): Condition[] =>
  list.map((c) => ({ key: c.key, operator: c.operator, ...(c.value !== undefined ? { value: c.value } : {}) }));

/** Attribute (metadata) filters: events whose metadata meets every condition are suppressed, before velocity filters. */
@ApiTags('MetadataFilters')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('metadata-filters')
export class MetadataFiltersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly filters: FiltersReader,
    private readonly stats: MetadataFilterStats,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listMetadataFilters',
    summary: 'List attribute based filters (OU-scoped)',
    description: 'Enabled first, then most recently updated first.',
  })
  @ApiOkResponse({ type: [MetadataFilterDto] })
  @ApiErrors(400, 401)
  async list(): Promise<MetadataFilterDto[]> {
    return this.filters.metadataFilterViews();
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
    const count = await this.stats.previewCount(body.event_type?.trim() || undefined, toConditions(body.conditions));
    RequestContext.describe({
      verb: 'viewed',
      entityType: 'metadata_filter',
      summary: `previewed an attribute filter (${count} event(s) would be suppressed)`,
    });
    return { count };
  }

  @Post()
  @ApiOperation({
    operationId: 'createMetadataFilter',
    summary: 'Create attribute based filter (OU-scoped)',
    description: 'Conditions are AND-ed; an empty event_type applies to every type.',
  })
  @ApiCreatedResponse({ type: MetadataFilterDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateMetadataFilterDto): Promise<MetadataFilterDto> {
    const { filterId } = await this.commands.execute(new CreateMetadataFilterCommand({ ...body, conditions: toConditions(body.conditions) }));
    return this.filters.metadataFilterView(filterId);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMetadataFilter', summary: 'Get attribute based filter (OU-scoped)', description: 'One filter with its suppressed count.' })
  @ApiOkResponse({ type: MetadataFilterDto })
  @ApiErrors(401, 404)
  async get(@Param('id') id: string): Promise<MetadataFilterDto> {
    return this.filters.metadataFilterView(id);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateMetadataFilter',
    summary: 'Update attribute based filter (OU-scoped)',
    description: 'name is required; other fields are unchanged when omitted.',
  })
  @ApiOkResponse({ type: MetadataFilterDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateMetadataFilterDto): Promise<MetadataFilterDto> {
    const conditions = body.conditions !== undefined ? toConditions(body.conditions) : undefined;
    await this.commands.execute(new UpdateMetadataFilterCommand(id, { ...body, conditions }));
    return this.filters.metadataFilterView(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteMetadataFilter',
    summary: 'Delete attribute based filter (OU-scoped)',
    description: 'Events already suppressed stay suppressed.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteMetadataFilterCommand(id));
  }
}
