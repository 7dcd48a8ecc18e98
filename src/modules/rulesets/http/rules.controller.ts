import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequestContext, OuScoped } from '../../../platform/tenancy';
import { AddRuleCommand } from '../commands/add-rule/add-rule.command';
import { RemoveRuleCommand } from '../commands/remove-rule/remove-rule.command';
import { ReorderRulesCommand } from '../commands/reorder-rules/reorder-rules.command';
import { UpdateRuleCommand } from '../commands/update-rule/update-rule.command';
import { RulesetsQueries } from '../queries/rulesets.queries';
import { ruleChanges, ruleFields } from './rule-fields';
import { Docs } from './rulesets.api-docs';
import { CreateRuleDto, ReorderRulesDto, RuleDto, UpdateRuleDto } from './rulesets.dto';

@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class RulesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: RulesetsQueries,
  ) {}

  @Get('engagement-scoring/rulesets/:id/rules')
  @Docs.listRulesetRules('listRulesetRules')
  listOfRuleset(@Param('id') id: string): Promise<RuleDto[]> {
    return this.queries.rules(id);
  }

  @Get('rulesets/:id/rules')
  @Docs.listRulesetRules('listRulesetRulesAlias', 'GET /engagement-scoring/rulesets/{id}/rules')
  listOfRulesetAlias(@Param('id') id: string): Promise<RuleDto[]> {
    return this.listOfRuleset(id);
  }

  @Put('engagement-scoring/rulesets/:id/reorder')
  @HttpCode(204)
  @Docs.reorder('reorderRules')
  async reorder(@Param('id') id: string, @Body() body: ReorderRulesDto): Promise<void> {
    await this.commands.execute(new ReorderRulesCommand(id, body.rule_ids));
    RequestContext.describe({ entityType: 'ruleset', entityId: id, summary: `reordered the rules of ruleset ${id}` });
  }

  @Put('rulesets/:id/reorder')
  @HttpCode(204)
  @Docs.reorder('reorderRulesAlias', 'PUT /engagement-scoring/rulesets/{id}/reorder')
  reorderAlias(@Param('id') id: string, @Body() body: ReorderRulesDto): Promise<void> {
    return this.reorder(id, body);
  }

  @Get('engagement-scoring/rules')
  @Docs.listRules('listRules')
  list(): Promise<RuleDto[]> {
    return this.queries.rules();
  }

  @Get('rules')
  @Docs.listRules('listRulesAlias', 'GET /engagement-scoring/rules')
  listAlias(): Promise<RuleDto[]> {
    return this.list();
  }

  @Post('rules')
  @Docs.createRule('createRule')
  async create(@Body() body: CreateRuleDto): Promise<RuleDto> {
    const { ruleId } = await this.commands.execute(new AddRuleCommand(body.ruleset_id, ruleFields(body)));
    RequestContext.describe({ entityType: 'rule', entityId: ruleId, summary: `created scoring rule '${body.event_type.trim()}' (${body.weight} points)` });
    return this.queries.rule(ruleId);
  }

  @Post('engagement-scoring/rules')
  @Docs.createRule('createRuleAlias', 'POST /rules')
  createAlias(@Body() body: CreateRuleDto): Promise<RuleDto> {
    return this.create(body);
  }

  @Put('rules/:id')
  @Docs.updateRule('updateRule')
  async update(@Param('id') id: string, @Body() body: UpdateRuleDto): Promise<RuleDto> {
    await this.commands.execute(new UpdateRuleCommand(id, ruleChanges(body)));
    const rule = await this.queries.rule(id);
    RequestContext.describe({ entityType: 'rule', entityId: id, summary: `updated scoring rule '${rule.event_type}'` });
    return rule;
  }

  @Put('engagement-scoring/rules/:id')
  @Docs.updateRule('updateRuleAlias', 'PUT /rules/{id}')
  updateAlias(@Param('id') id: string, @Body() body: UpdateRuleDto): Promise<RuleDto> {
    return this.update(id, body);
  }

  @Delete('rules/:id')
  @HttpCode(204)
  @Docs.deleteRule('deleteRule')
  async remove(@Param('id') id: string): Promise<void> {
    const rule = await this.queries.rule(id);
    await this.commands.execute(new RemoveRuleCommand(id));
    RequestContext.describe({ entityType: 'rule', entityId: id, summary: `deleted scoring rule '${rule.event_type}'` });
  }

  @Delete('engagement-scoring/rules/:id')
  @HttpCode(204)
  @Docs.deleteRule('deleteRuleAlias', 'DELETE /rules/{id}')
  removeAlias(@Param('id') id: string): Promise<void> {
    return this.remove(id);
  }
}
