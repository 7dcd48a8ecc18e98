import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { CreateDecayCommand } from '../commands/create-decay/create-decay.command';
import { DeleteDecayCommand } from '../commands/delete-decay/delete-decay.command';
import { UpdateDecayCommand } from '../commands/update-decay/update-decay.command';
import { DecaysReader } from '../queries/decays.reader';
import { CreateDecayDto, DecayDto, UpdateDecayDto } from './decays.dto';

const HOW =
  'The hourly decay.apply job subtracts `decrease` from every engagement ruleset score of a lead once per full period of inactivity ' +
  '(since its last unsuppressed, non-system event), never below 0 unless negative scores are allowed, as DECAY events (metadata.channel "system").';

/** Inactivity decay rules of the active OU (DEC-1..7). */
@ApiTags('Decays')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('decays')
export class DecaysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly decays: DecaysReader,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listDecays',
    summary: 'List score decay rules (OU-scoped)',
    description: `Retrieves decay rules that reduce scores after inactivity, scoped to the active OU, oldest first. ${HOW}`,
  })
  @ApiOkResponse({ type: [DecayDto] })
  @ApiErrors(400, 401)
  async list(): Promise<DecayDto[]> {
    return this.decays.views();
  }

  @Post()
  @ApiOperation({
    operationId: 'createDecay',
    summary: 'Create score decay rule (OU-scoped)',
    description: `Seed shape {inactive_for, unit, decrease} or docs shape {name, points, interval_days, active}. ${HOW}`,
  })
  @ApiCreatedResponse({ type: DecayDto })
  @ApiErrors(400, 401, 403)
  async create(@Body() body: CreateDecayDto): Promise<DecayDto> {
    const { decayId } = await this.commands.execute(new CreateDecayCommand(body));
    return this.decays.view(decayId);
  }

  @Put(':id')
  @ApiOperation({
    operationId: 'updateDecay',
    summary: 'Update score decay rule (OU-scoped)',
    description: 'Partial update (either shape); answers the updated rule. Periods already charged to an inactive lead stay charged.',
  })
  @ApiOkResponse({ type: DecayDto })
  @ApiErrors(400, 401, 403, 404)
  async update(@Param('id') id: string, @Body() body: UpdateDecayDto): Promise<DecayDto> {
    await this.commands.execute(new UpdateDecayCommand(id, body));
    return this.decays.view(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteDecay',
    summary: 'Delete score decay rule (OU-scoped)',
    description: 'Already-decayed scores are not restored: the DECAY events it wrote stay.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  async remove(@Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteDecayCommand(id));
  }
}
