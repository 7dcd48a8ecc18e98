import { Injectable } from '@nestjs/common';
import { CommandBus, EventBus } from '@nestjs/cqrs';
import { currentUnit, RequestContext } from '../../../platform/tenancy';
import { AttributeDimension, AttributeRuleFieldsDto, AttributeRulesChanged, ConditionGroup, normaliseGroup } from '../../scoring';
import { AddRuleCommand } from '../commands/add-rule/add-rule.command';
import { CreateRulesetCommand } from '../commands/create-ruleset/create-ruleset.command';
import { DeleteRulesetCommand } from '../commands/delete-ruleset/delete-ruleset.command';
import { RemoveRuleCommand } from '../commands/remove-rule/remove-rule.command';
import { UpdateRuleCommand } from '../commands/update-rule/update-rule.command';
import { UpdateRulesetCommand } from '../commands/update-ruleset/update-ruleset.command';
import { AttributeRuleFields } from '../domain/ruleset-events';
import { AttributeRulesetsQueries, PROPERTY_FIELD } from '../queries/attribute-rulesets.queries';
import { RulesetErrors } from '../rulesets.errors';
import { AttributeRuleViewDto, AttributeRulesetBodyDto, AttributeRulesetDto } from './attribute-rulesets.dto';

type RuleBody = Partial<AttributeRuleFieldsDto> & Partial<Record<'profile_property' | 'account_property' | 'deal_property', string>>;

/** The body of a rule as the aggregate's fields (only the given ones for an update). */
function ruleChanges(dimension: AttributeDimension, body: RuleBody): Partial<AttributeRuleFields> {
  const c: Partial<AttributeRuleFields> = {};
  const property = body[PROPERTY_FIELD[dimension]];
  if (property !== undefined) c.property = property.trim();
  if (body.condition !== undefined) c.condition = body.condition;
  if (body.comparison_value !== undefined) c.comparison_value = body.comparison_value;
  if (body.weight !== undefined) c.weight = body.weight;
  if (body.ui_order !== undefined) c.ui_order = body.ui_order;
  if (body.rule_type !== undefined) c.rule_type = body.rule_type;
  // a malformed group reaches the aggregate as given, whose check names the field
  if (body.conditions !== undefined) c.conditions = body.conditions === null ? null : safeNormalise(body.conditions);
  return c;
}

function safeNormalise(group: ConditionGroup): ConditionGroup {
  try {
    return normaliseGroup(group);
  } catch {
    return group;
  }
}

/**
 * Profile and account (and later deal) rulesets and rules over the one Ruleset aggregate and its command handlers:
 * each route names its dimension, so a ruleset of another dimension is not found. Every change is audited and
 * announced (AttributeRulesChanged) so the dimension's scores follow.
 */
@Injectable()
export class AttributeScoringService {
  constructor(
    private readonly commands: CommandBus,
    private readonly events: EventBus,
    private readonly queries: AttributeRulesetsQueries,
  ) {}

  list(dimension: AttributeDimension): Promise<AttributeRulesetDto[]> {
    return this.queries.rulesets(dimension);
  }

  async create(dimension: AttributeDimension, body: AttributeRulesetBodyDto): Promise<AttributeRulesetDto> {
    const name = body.name.trim();
    await this.assertFreeName(dimension, name);
    const { rulesetId } = await this.commands.execute(
      new CreateRulesetCommand(
        {
          name,
          score_column: `${dimension}_score`,
          is_primary: body.is_primary ?? false,
          active: body.enabled ?? true,
          start_date: null,
          end_date: null,
          score_floor_pct: body.score_floor_pct ?? null,
        },
        dimension,
      ),
    );
    RequestContext.describe({ entityType: `${dimension}_ruleset`, entityId: rulesetId, summary: `created ${dimension} ruleset '${name}'` });
    this.changed(dimension, rulesetId);
    return this.queries.ruleset(dimension, rulesetId);
  }

  async update(dimension: AttributeDimension, id: string, body: AttributeRulesetBodyDto): Promise<AttributeRulesetDto> {
    await this.queries.ruleset(dimension, id);
    const name = body.name.trim();
    await this.assertFreeName(dimension, name, id);
    await this.commands.execute(
      new UpdateRulesetCommand(id, { name, active: body.enabled, is_primary: body.is_primary, score_floor_pct: body.score_floor_pct }, dimension),
    );
    RequestContext.describe({ entityType: `${dimension}_ruleset`, entityId: id, summary: `updated ${dimension} ruleset '${name}'` });
    this.changed(dimension, id);
    return this.queries.ruleset(dimension, id);
  }

  async remove(dimension: AttributeDimension, id: string): Promise<void> {
    const ruleset = await this.queries.ruleset(dimension, id);
    await this.commands.execute(new DeleteRulesetCommand(id, dimension));
    RequestContext.describe({ entityType: `${dimension}_ruleset`, entityId: id, summary: `deleted ${dimension} ruleset '${ruleset.name}' and its rules` });
    this.changed(dimension, id);
  }

  rules(dimension: AttributeDimension, rulesetId: string): Promise<AttributeRuleViewDto[]> {
    return this.queries.rules(dimension, rulesetId);
  }

  async createRule(dimension: AttributeDimension, rulesetId: string, body: RuleBody): Promise<AttributeRuleViewDto> {
    await this.queries.ruleset(dimension, rulesetId);
    const c = ruleChanges(dimension, body);
    const fields: AttributeRuleFields = {
      property: c.property!,
      condition: c.condition!,
      comparison_value: c.comparison_value!,
      weight: c.weight!,
      ui_order: c.ui_order ?? null,
      rule_type: c.rule_type ?? 'add_points',
      conditions: c.conditions ?? null,
    };
    const { ruleId } = await this.commands.execute(new AddRuleCommand(rulesetId, fields, dimension));
    const rule = await this.queries.rule(dimension, rulesetId, ruleId);
    RequestContext.describe({
      entityType: `${dimension}_rule`,
      entityId: ruleId,
      summary: `created ${dimension} rule '${ruleName(fields)}' (${describeEffect(fields)})`,
    });
    this.changed(dimension, rulesetId);
    return rule;
  }

  async updateRule(dimension: AttributeDimension, rulesetId: string, ruleId: string, body: RuleBody): Promise<AttributeRuleViewDto> {
    await this.queries.rule(dimension, rulesetId, ruleId);
    await this.commands.execute(new UpdateRuleCommand(ruleId, ruleChanges(dimension, body), dimension));
    const rule = await this.queries.rule(dimension, rulesetId, ruleId);
    RequestContext.describe({ entityType: `${dimension}_rule`, entityId: ruleId, summary: `updated ${dimension} rule '${ruleNameOfView(dimension, rule)}'` });
    this.changed(dimension, rulesetId);
    return rule;
  }

  async removeRule(dimension: AttributeDimension, rulesetId: string, ruleId: string): Promise<void> {
    const rule = await this.queries.rule(dimension, rulesetId, ruleId);
    await this.commands.execute(new RemoveRuleCommand(ruleId, dimension));
    RequestContext.describe({ entityType: `${dimension}_rule`, entityId: ruleId, summary: `deleted ${dimension} rule '${ruleNameOfView(dimension, rule)}'` });
    this.changed(dimension, rulesetId);
  }

  private async assertFreeName(dimension: AttributeDimension, name: string, except?: string): Promise<void> {
    if (await this.queries.sameName(dimension, name, except)) {
      throw RulesetErrors.error('duplicate_ruleset_name', `a ${dimension} ruleset named '${name}' already exists in this OU`, [
        { field: 'name', reason: 'already used by another ruleset of this dimension' },
      ]);
    }
  }

  private changed(dimension: AttributeDimension, rulesetId: string): void {
    const { orgId, unitId } = currentUnit();
    this.events.publish(new AttributeRulesChanged(orgId, unitId, dimension, rulesetId, RequestContext.actor()));
  }
}

function ruleName(f: Pick<AttributeRuleFields, 'property' | 'condition' | 'comparison_value'>): string {
  return `${f.property} ${f.condition} ${f.comparison_value}`.trim();
}

function ruleNameOfView(dimension: AttributeDimension, rule: AttributeRuleViewDto): string {
  const property = (rule as unknown as Record<string, string>)[PROPERTY_FIELD[dimension]];
  return ruleName({ property, condition: rule.condition as AttributeRuleFields['condition'], comparison_value: rule.comparison_value });
}

function describeEffect(f: AttributeRuleFields): string {
  return f.rule_type === 'hard_disqualify' ? 'hard disqualification' : `${f.weight} points`;
}
