import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '../../../platform/http/app-error';
import { ApiErrors } from '../../../platform/http/error-response.dto';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { OuScoped } from '../../../platform/tenancy/tenancy.decorators';
import { RuleFields } from '../domain/ruleset-events';
import { AddRuleCommand, CreateRulesetCommand, DeleteRulesetCommand, RemoveRuleCommand, ReorderRulesCommand, UpdateRuleCommand } from '../commands/ruleset-commands';
import { RulesetsQueries } from '../rulesets.queries';
import { CreateRuleDto, CreateRulesetDto, ReorderRulesDto, RuleDto, RulesetDto, UpdateRuleDto } from './rulesets.dto';

/**
 * Engagement rulesets and rules. The API overview and the docs use two path families for the same
 * resources (`/engagement-scoring/rules…` and `/rules…`, `/engagement-scoring/rulesets…` and `/rulesets…`);
 * both are served by one handler each, and documented with their own operation ids.
 */
const op = (operationId: string, summary: string, description: string, alias?: string) =>
  ApiOperation({ operationId, summary, description: alias ? `${description} (Alias of ${alias}.)` : description });

const Docs = {
  listRulesets: (id: string, alias?: string) =>
    applyDecorators(op(id, 'List scoring rule sets (OU-scoped)', 'Engagement rulesets of the active OU, primary first, with their rule counts.', alias), ApiOkResponse({ type: [RulesetDto] }), ApiErrors(400, 401)),
  createRuleset: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Create scoring rule set (OU-scoped)', 'The first ruleset of an OU becomes its primary; is_primary=true moves the flag.', alias),
      ApiCreatedResponse({ type: RulesetDto }),
      ApiErrors(400, 401, 403),
    ),
  deleteRuleset: (id: string, alias?: string) =>
    applyDecorators(op(id, 'Delete a scoring ruleset (OU-scoped)', 'Deletes the ruleset and its rules; scores it gave are not recomputed.', alias), ApiNoContentResponse({ description: 'Deleted' }), ApiErrors(401, 403, 404)),
  listRulesetRules: (id: string, alias?: string) =>
    applyDecorators(op(id, 'List scoring rules in a set (OU-scoped)', 'Rules of one ruleset in priority order.', alias), ApiOkResponse({ type: [RuleDto] }), ApiErrors(401, 404)),
  reorder: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Reorder scoring rules in a ruleset (OU-scoped)', 'Atomically sets the priority order of all rules; every rule id exactly once (400 otherwise).', alias),
      ApiNoContentResponse({ description: 'Reordered' }),
      ApiErrors(400, 401, 403, 404),
    ),
  listRules: (id: string, alias?: string) =>
    applyDecorators(op(id, 'List scoring rules (OU-scoped)', 'All engagement rules of the active OU.', alias), ApiOkResponse({ type: [RuleDto] }), ApiErrors(400, 401)),
  createRule: (id: string, alias?: string) =>
    applyDecorators(
      op(id, 'Create scoring rule (OU-scoped)', 'Adds a rule to the ruleset (the primary one when ruleset_id is omitted) at the lowest priority. Same event type and filters as another rule → 409.', alias),
      ApiCreatedResponse({ type: RuleDto }),
      ApiErrors(400, 401, 403, 404, 409),
    ),
  updateRule: (id: string, alias?: string) =>
    applyDecorators(op(id, 'Update scoring rule (OU-scoped)', 'Partial update; history is not recomputed (use score-now).', alias), ApiOkResponse({ type: RuleDto }), ApiErrors(400, 401, 403, 404, 409)),
  deleteRule: (id: string, alias?: string) =>
    applyDecorators(op(id, 'Delete scoring rule (OU-scoped)', 'Future events stop earning its points; past contributions stay.', alias), ApiNoContentResponse({ description: 'Deleted' }), ApiErrors(401, 403, 404)),
};

function ruleFields(body: CreateRuleDto): RuleFields {
  return {
    event_type: body.event_type.trim(),
    weight: body.weight,
    half_life_days: body.half_life_days ?? null,
    icon: body.icon ?? null,
    active: body.active ?? true,
    start_at: body.start_at ? new Date(body.start_at).toISOString() : null,
    end_at: body.end_at ? new Date(body.end_at).toISOString() : null,
    filters: (body.filters ?? []).map((f) => ({ key: f.key, operator: f.operator, ...(f.value !== undefined ? { value: f.value } : {}) })),
  };
}

function ruleChanges(body: UpdateRuleDto): Partial<RuleFields> {
  const c: Partial<RuleFields> = {};
  if (body.event_type !== undefined) c.event_type = body.event_type.trim();
  if (body.weight !== undefined) c.weight = body.weight;
  if (body.half_life_days !== undefined) c.half_life_days = body.half_life_days;
  if (body.icon !== undefined) c.icon = body.icon;
  if (body.active !== undefined) c.active = body.active;
  if (body.start_at !== undefined) c.start_at = body.start_at ? new Date(body.start_at).toISOString() : null;
  if (body.end_at !== undefined) c.end_at = body.end_at ? new Date(body.end_at).toISOString() : null;
  if (body.filters !== undefined) c.filters = body.filters.map((f) => ({ key: f.key, operator: f.operator, ...(f.value !== undefined ? { value: f.value } : {}) }));
  return c;
}

@ApiTags('RuleSets')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class RulesetsController {
  constructor(private readonly commands: CommandBus, private readonly queries: RulesetsQueries) {}

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
    if (body.start_date && body.end_date && body.start_date > body.end_date) {
      throw new AppError(400, 'validation_failed', 'end_date: must not be before start_date', [{ field: 'end_date', reason: 'must not be before start_date' }]);
    }
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

@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class RulesController {
  constructor(private readonly commands: CommandBus, private readonly queries: RulesetsQueries) {}

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
    if (body.start_at && body.end_at && new Date(body.start_at) >= new Date(body.end_at)) {
      throw new AppError(400, 'validation_failed', 'end_at: must be after start_at', [{ field: 'end_at', reason: 'must be after start_at' }]);
    }
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
