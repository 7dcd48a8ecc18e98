import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { CreateVelocityFilterCommand } from '../commands/create-velocity-filter/create-velocity-filter.command';
import { DeleteVelocityFilterCommand } from '../commands/delete-velocity-filter/delete-velocity-filter.command';
import { UpdateVelocityFilterCommand } from '../commands/update-velocity-filter/update-velocity-filter.command';
import { FiltersReader } from '../queries/filters.reader';
import { CreateVelocityFilterDto, UpdateVelocityFilterDto, VelocityFilterDto } from './filters.dto';

/** Inorganic activity (velocity) filters: bot-like bursts of one event type per lead are suppressed. */
@ApiTags('Filters')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('filters')
export class VelocityFiltersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly filters: FiltersReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listInorganicFilters',
    summary: 'List inorganic filters (OU-scoped)',
    description: 'Velocity filters of the active OU, newest first.',
  })
  @ApiOkResponse({ type: [VelocityFilterDto] })
  @ApiErrors(400, 401)
  async list(): Promise<VelocityFilterDto[]> {
    return this.filters.velocityFilterViews();
  }

  @Post()
  @ApiOperation({
    operationId: 'createInorganicFilter',
    summary: 'Create inorganic filter (OU-scoped)',
    description:
      'Once a lead has more than count_threshold events of the type within time_window_ms, later ones are suppressed (group_events keeps the first of a burst).',
  })
  @ApiCreatedResponse({ type: VelocityFilterDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateVelocityFilterDto): Promise<VelocityFilterDto> {
    const { filterId } = await this.commands.execute(new CreateVelocityFilterCommand(body));
    return this.filters.velocityFilterView(filterId);
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateInorganicFilter', summary: 'Update inorganic filter (OU-scoped)', description: 'Partial update.' })
  @ApiOkResponse({ type: VelocityFilterDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateVelocityFilterDto): Promise<VelocityFilterDto> {
    await this.commands.execute(new UpdateVelocityFilterCommand(id, body));
    return this.filters.velocityFilterView(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteInorganicFilter',
    summary: 'Delete inorganic filter (OU-scoped)',
    description: 'Events already suppressed stay suppressed.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteVelocityFilterCommand(id));
  }
}
