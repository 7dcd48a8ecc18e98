import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequestContext, OuScoped } from '../../../platform/tenancy';
import { CreateRulesetCommand } from '../commands/create-ruleset/create-ruleset.command';
import { DeleteRulesetCommand } from '../commands/delete-ruleset/delete-ruleset.command';
import { RulesetsQueries } from '../queries/rulesets.queries';
import { Docs } from './rulesets.api-docs';
import { CreateRulesetDto, RulesetDto } from './rulesets.dto';

@ApiTags('RuleSets')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class RulesetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: RulesetsQueries,
  ) {}

  @Get('engagement-scoring/rulesets')
  @Docs.listRulesets('listRulesets')
  list(): Promise<RulesetDto[]> {
    return this.queries.rulesets();
  }

  @Get('rulesets')
  @Docs.listRulesets('listRulesetsAlias', 'GET /engagement-scoring/rulesets')
  listAlias(): Promise<RulesetDto[]> {
    return this.list();
  }

  @Post('rulesets')
  @Docs.createRuleset('createRuleset')
  async create(@Body() body: CreateRulesetDto): Promise<RulesetDto> {
    const { rulesetId } = await this.commands.execute(
      new CreateRulesetCommand({
        name: body.name.trim(),
        score_column: body.score_column ?? body.score_field ?? 'total_score',
        is_primary: body.is_primary ?? false,
        active: body.active ?? true,
        start_date: body.start_date ?? null,
        end_date: body.end_date ?? null,
      }),
    );
    RequestContext.describe({ entityType: 'ruleset', entityId: rulesetId, summary: `created engagement ruleset '${body.name.trim()}'` });
    return this.queries.ruleset(rulesetId);
  }

  @Post('engagement-scoring/rulesets')
  @Docs.createRuleset('createRulesetAlias', 'POST /rulesets')
  createAlias(@Body() body: CreateRulesetDto): Promise<RulesetDto> {
    return this.create(body);
  }

  @Delete('rulesets/:id')
  @HttpCode(204)
  @Docs.deleteRuleset('deleteRuleset')
  async remove(@Param('id') id: string): Promise<void> {
    const ruleset = await this.queries.ruleset(id);
    await this.commands.execute(new DeleteRulesetCommand(id));
    RequestContext.describe({ entityType: 'ruleset', entityId: id, summary: `deleted engagement ruleset '${ruleset.name}'` });
  }

  @Delete('engagement-scoring/rulesets/:id')
  @HttpCode(204)
  @Docs.deleteRuleset('deleteRulesetAlias', 'DELETE /rulesets/{id}')
  removeAlias(@Param('id') id: string): Promise<void> {
    return this.remove(id);
  }
}
