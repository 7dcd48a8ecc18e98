import { asNumber, Condition, conditionHolds, ConditionOperator, NUMERIC_OPERATORS } from './conditions';
import { Dimension } from './dimension';
import { Metadata } from './metadata-path';

/**
 * Attribute rules: profile, account and deal scoring (PRF-6..9, ABM-3, DEAL-1). A rule tests one property of the
 * subject's current attributes (`property condition comparison_value`) and either adds its weight (`add_points`) or
 * disqualifies (`hard_disqualify`, which may add a compound AND/OR group, PRF-13). The same pure code serves the live
 * re-evaluation, the dry runs and the account/deal scorers, through the condition evaluator of metadata filters.
 */
export const ATTRIBUTE_DIMENSIONS = ['profile', 'account', 'deal'] as const satisfies readonly Dimension[];
export type AttributeDimension = (typeof ATTRIBUTE_DIMENSIONS)[number];

export function isAttributeDimension(value: string): value is AttributeDimension {
  return (ATTRIBUTE_DIMENSIONS as readonly string[]).includes(value);
}

/** PRF-7 suggested default tokens. */
export const ATTRIBUTE_OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'is_empty',
  'is_not_empty',
] as const satisfies readonly ConditionOperator[];
export type AttributeOperator = (typeof ATTRIBUTE_OPERATORS)[number];

export const RULE_TYPES = ['add_points', 'hard_disqualify'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** PRF-13: a group nests at most this deep (the outermost group is depth 1). */
export const MAX_GROUP_DEPTH = 3;
/** Items of one group; a guard against pathological bodies, not a product rule. */
export const MAX_GROUP_ITEMS = 50;

export interface AttributeCondition {
  property: string;
  condition: AttributeOperator;
  comparison_value: string;
}

export interface ConditionGroup {
  op: 'AND' | 'OR';
  items: (AttributeCondition | ConditionGroup)[];
}

export interface AttributeRule extends AttributeCondition {
  id: string;
  ruleset_id: string;
  weight: number;
  rule_type: RuleType;
  conditions: ConditionGroup | null;
  /** ui_order, then id: the order rules are listed and the first matching hard-DQ rule is chosen in. */
  ui_order: number | null;
}

export interface AttributeRuleset {
  id: string;
  name: string;
  enabled: boolean;
  is_primary: boolean;
  score_floor_pct: number | null;
  rules: readonly AttributeRule[];
}

export function isAttributeOperator(value: unknown): value is AttributeOperator {
  return typeof value === 'string' && (ATTRIBUTE_OPERATORS as readonly string[]).includes(value);
}

function isGroup(item: unknown): item is ConditionGroup {
  return typeof item === 'object' && item !== null && 'op' in item;
}

function asCondition(c: AttributeCondition): Condition {
  return { key: c.property, operator: c.condition, value: c.comparison_value };
}

/** One `property condition comparison_value` test on attributes (string compares case-insensitive, numbers coerced). */
export function attributeConditionHolds(c: AttributeCondition, attributes: Metadata | null | undefined): boolean {
  return conditionHolds(asCondition(c), attributes);
}

export function groupHolds(group: ConditionGroup, attributes: Metadata | null | undefined): boolean {
  const test = (item: AttributeCondition | ConditionGroup) => (isGroup(item) ? groupHolds(item, attributes) : attributeConditionHolds(item, attributes));
  return group.op === 'AND' ? group.items.every(test) : group.items.some(test);
}

/** A rule matches when its own condition holds and, for a hard-DQ rule with a group, the group holds too. */
export function attributeRuleMatches(rule: AttributeCondition & { conditions?: ConditionGroup | null }, attributes: Metadata | null | undefined): boolean {
  return attributeConditionHolds(rule, attributes) && (!rule.conditions || groupHolds(rule.conditions, attributes));
}

/** The attribute value a rule looked at, as text (dry runs' `matching_value`); null when absent. */
export function attributeValueText(rule: AttributeCondition, attributes: Metadata | null | undefined): string | null {
  const v = attributes?.[rule.property] ?? readNested(attributes, rule.property);
  if (v === undefined || v === null) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function readNested(attributes: Metadata | null | undefined, path: string): unknown {
  let cur: unknown = attributes;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface MatchedRule {
  rule_id: string;
  ruleset_id: string;
  property: string;
  condition: AttributeOperator;
  comparison_value: string;
  weight: number;
}

export interface Disqualifier {
  rule_id: string;
  ruleset_id: string;
  dimension: AttributeDimension;
  rule_name: string;
  reason: string;
}

export interface AttributeScore {
  score: number;
  matched: MatchedRule[];
  disqualified_by: Disqualifier | null;
}

const byOrder = (a: AttributeRule, b: AttributeRule) =>
  (a.ui_order ?? Number.MAX_SAFE_INTEGER) - (b.ui_order ?? Number.MAX_SAFE_INTEGER) || a.id.localeCompare(b.id);

/** The human name of a rule (rules have no name field): `industry equals Competitor`. */
export function attributeRuleName(rule: AttributeCondition): string {
  const value = rule.condition === 'is_empty' || rule.condition === 'is_not_empty' ? '' : ` ${rule.comparison_value}`;
  return `${rule.property} ${rule.condition.replace(/_/g, ' ')}${value}`;
}

/** PRF-11 reason text, e.g. `Disqualified by profile rule "email is empty" of ruleset "Fit": email is empty`. */
export function disqualificationReason(
  dimension: AttributeDimension,
  rule: AttributeRule,
  rulesetName: string,
  attributes: Metadata | null | undefined,
): string {
  const seen = attributeValueText(rule, attributes);
  return `Disqualified by ${dimension} rule "${attributeRuleName(rule)}" of ruleset "${rulesetName}"${seen === null ? ` (${rule.property} is empty)` : ` (${rule.property} = ${seen})`}`;
}

/**
 * PRF-8/PRF-9: the score is the sum of the weights of the matching `add_points` rules of the primary ruleset (when it
 * is enabled); a matching `hard_disqualify` rule of any enabled ruleset of the dimension disqualifies (the first by
 * primary first, then ui_order). Pure: the live path, the dry runs and `scoreAttributes` all call this.
 */
export function scoreAttributeRulesets(
  dimension: AttributeDimension,
  rulesets: readonly AttributeRuleset[],
  attributes: Metadata | null | undefined,
): AttributeScore {
  let score = 0;
  const matched: MatchedRule[] = [];
  let disqualified_by: Disqualifier | null = null;
  const ordered = [...rulesets].filter((r) => r.enabled).sort((a, b) => Number(b.is_primary) - Number(a.is_primary) || a.id.localeCompare(b.id));
  for (const ruleset of ordered) {
    for (const rule of [...ruleset.rules].sort(byOrder)) {
      if (rule.rule_type === 'hard_disqualify') {
        if (!disqualified_by && attributeRuleMatches(rule, attributes)) {
          disqualified_by = {
            rule_id: rule.id,
            ruleset_id: ruleset.id,
            dimension,
            rule_name: attributeRuleName(rule),
            reason: disqualificationReason(dimension, rule, ruleset.name, attributes),
          };
        }
        continue;
      }
      if (!ruleset.is_primary || !attributeRuleMatches(rule, attributes)) continue;
      score += rule.weight;
      matched.push({
        rule_id: rule.id,
        ruleset_id: ruleset.id,
        property: rule.property,
        condition: rule.condition,
        comparison_value: rule.comparison_value,
        weight: rule.weight,
      });
    }
  }
  return { score, matched, disqualified_by };
}

/** The highest score a ruleset can give (sum of positive add_points weights), for `below_floor` (PRF-5). */
export function maxAchievableScore(ruleset: AttributeRuleset): number {
  return ruleset.rules.filter((r) => r.rule_type === 'add_points' && r.weight > 0).reduce((n, r) => n + r.weight, 0);
}

/** PRF-5 suggested default: below `score_floor_pct × max achievable score` (never when no floor is set). */
export function isBelowFloor(score: number, ruleset: AttributeRuleset | undefined): boolean {
  if (!ruleset || ruleset.score_floor_pct === null || ruleset.score_floor_pct === undefined) return false;
  return score < ruleset.score_floor_pct * maxAchievableScore(ruleset);
}

/**
 * What is wrong with an attribute rule as written (empty = valid), each problem with the field it names; the DTOs,
 * the aggregate and the dry runs all apply it. `conditions` belongs to hard-DQ rules only (PRF-6 suggested default).
 */
export function attributeRuleProblems(rule: { condition?: unknown; comparison_value?: unknown; rule_type?: unknown; conditions?: unknown }): {
  field: string;
  reason: string;
}[] {
  const problems: { field: string; reason: string }[] = [];
  problems.push(...conditionValueProblems(rule.condition, rule.comparison_value, 'condition', 'comparison_value'));
  if (rule.conditions !== undefined && rule.conditions !== null) {
    if ((rule.rule_type ?? 'add_points') !== 'hard_disqualify') {
      problems.push({ field: 'conditions', reason: 'only valid when rule_type is hard_disqualify' });
    } else {
      problems.push(...groupProblems(rule.conditions, 'conditions', 1));
    }
  }
  return problems;
}

function conditionValueProblems(condition: unknown, value: unknown, conditionField: string, valueField: string): { field: string; reason: string }[] {
  if (!isAttributeOperator(condition)) return [{ field: conditionField, reason: `must be one of ${ATTRIBUTE_OPERATORS.join(', ')}` }];
  if (typeof value !== 'string') return [{ field: valueField, reason: 'must be a string' }];
  if (NUMERIC_OPERATORS.has(condition) && Number.isNaN(asNumber(value))) return [{ field: valueField, reason: `must be numeric for ${condition}` }];
  if ((condition === 'in' || condition === 'not_in') && value.split(',').every((v) => v.trim() === '')) {
    return [{ field: valueField, reason: `must list at least one comma-separated value for ${condition}` }];
  }
  return [];
}

function groupProblems(group: unknown, path: string, depth: number): { field: string; reason: string }[] {
  if (depth > MAX_GROUP_DEPTH) return [{ field: path, reason: `groups nest at most ${MAX_GROUP_DEPTH} deep` }];
  if (typeof group !== 'object' || group === null || Array.isArray(group)) return [{ field: path, reason: 'must be a group {op, items}' }];
  const g = group as { op?: unknown; items?: unknown };
  const problems: { field: string; reason: string }[] = [];
  if (g.op !== 'AND' && g.op !== 'OR') problems.push({ field: `${path}.op`, reason: 'must be AND or OR' });
  if (!Array.isArray(g.items) || g.items.length === 0) return [...problems, { field: `${path}.items`, reason: 'must be a non-empty array' }];
  if (g.items.length > MAX_GROUP_ITEMS) return [...problems, { field: `${path}.items`, reason: `must have at most ${MAX_GROUP_ITEMS} items` }];
  g.items.forEach((item, i) => {
    const at = `${path}.items[${i}]`;
    if (typeof item === 'object' && item !== null && 'op' in item) {
      problems.push(...groupProblems(item, at, depth + 1));
      return;
    }
    if (typeof item !== 'object' || item === null) {
      problems.push({ field: at, reason: 'must be a condition {property, condition, comparison_value} or a group {op, items}' });
      return;
    }
    const c = item as Record<string, unknown>;
    if (typeof c.property !== 'string' || c.property.trim() === '' || c.property.length > 200) {
      problems.push({ field: `${at}.property`, reason: 'must be a non-empty string of at most 200 characters' });
    }
    problems.push(
      ...conditionValueProblems(c.condition, c.comparison_value ?? (isValueless(c.condition) ? '' : undefined), `${at}.condition`, `${at}.comparison_value`),
    );
  });
  return problems;
}

function isValueless(condition: unknown): boolean {
  return condition === 'is_empty' || condition === 'is_not_empty';
}

/** A valid group as stored: items normalised to `{property, condition, comparison_value}` (value '' when valueless). */
export function normaliseGroup(group: ConditionGroup): ConditionGroup {
  return {
    op: group.op,
    items: group.items.map((item) =>
      isGroup(item) ? normaliseGroup(item) : { property: item.property.trim(), condition: item.condition, comparison_value: item.comparison_value ?? '' },
    ),
  };
}

export interface CandidateAttributeRule extends AttributeCondition {
  /** Stands in for this rule of the ruleset when given. */
  rule_id?: string;
  weight: number;
  rule_type: RuleType;
  conditions: ConditionGroup | null;
}

export interface AttributeDryRun {
  matches: boolean;
  reason: string;
  current_score: number;
  projected_score: number;
  matching_value: string | null;
  /** the tested rule is hard_disqualify and matches: the subject would be disqualified */
  would_disqualify: boolean;
}

export const DRY_RUN_RULE_ID = 'dry-run-rule';

/**
 * PRF-14 / ABM-5 / DEAL-2 dry run: the subject's score as if `candidate` were saved in `target` (the primary ruleset
 * of the dimension; a new primary when the OU has none), through `scoreAttributeRulesets`, the live code. `current`
 * is the stored score. Pure: the profile, account and deal dry runs all call it with the subject's attributes.
 */
export function dryRunAttributeRule(
  dimension: AttributeDimension,
  rulesets: readonly AttributeRuleset[],
  targetId: string | null,
  candidate: CandidateAttributeRule,
  attributes: Metadata | null | undefined,
  current: number,
): AttributeDryRun {
  const target: AttributeRuleset = rulesets.find((r) => r.id === targetId) ?? {
    id: targetId ?? 'dry-run-ruleset',
    name: 'dry run',
    enabled: true,
    is_primary: true,
    score_floor_pct: null,
    rules: [],
  };
  const existing = candidate.rule_id ? target.rules.find((r) => r.id === candidate.rule_id) : undefined;
  const rule: AttributeRule = {
    id: existing?.id ?? DRY_RUN_RULE_ID,
    ruleset_id: target.id,
    property: candidate.property,
    condition: candidate.condition,
    comparison_value: candidate.comparison_value,
    weight: candidate.weight,
    rule_type: candidate.rule_type,
    conditions: candidate.conditions,
    ui_order: existing?.ui_order ?? null,
  };
  // the dry run scores the target as the primary (enabled), whatever it is today: that is what saving the rule there would test
  const modified: AttributeRuleset = { ...target, enabled: true, is_primary: true, rules: [...target.rules.filter((r) => r.id !== rule.id), rule] };
  const others = rulesets.filter((r) => r.id !== target.id).map((r) => ({ ...r, is_primary: false }));
  const matches = attributeRuleMatches(rule, attributes);
  const projected = scoreAttributeRulesets(dimension, [modified, ...others], attributes);
  const seen = attributeValueText(rule, attributes);
  const verdict = matches ? 'matches' : 'does not match';
  return {
    matches,
    reason: `${attributeRuleName(rule)} ${verdict}: ${seen === null ? `${rule.property} is empty` : `${rule.property} is "${seen}"`}${
      rule.conditions ? ` (the conditions group ${rule.conditions && groupHolds(rule.conditions, attributes) ? 'holds' : 'does not hold'})` : ''
    }`,
    current_score: current,
    projected_score: projected.score,
    matching_value: matches ? seen : null,
    would_disqualify: matches && rule.rule_type === 'hard_disqualify',
  };
}
