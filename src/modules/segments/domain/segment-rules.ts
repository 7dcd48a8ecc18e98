import { joinSql, raw, Sql, sql } from '../../../platform/database';

/** SEG-2 (docs): rule types, the level ones comparing a level's name. */
export const RULE_TYPES = ['lead_metadata', 'event_metadata', 'engagement_level', 'profile_level', 'account_metadata', 'account_level'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** SEG-3 suggested tokens. */
export const OPERATORS = ['equals', 'not_equals', 'contains', 'starts_with', 'ends_with', 'gt', 'lt', 'gte', 'lte', 'is_empty', 'is_not_empty'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Level rules compare a level name: only (in)equality (SEG-2, docs). */
export const LEVEL_OPERATORS: readonly Operator[] = ['equals', 'not_equals'];
const LEVEL_TYPES: readonly RuleType[] = ['engagement_level', 'profile_level', 'account_level'];
const NUMERIC: readonly Operator[] = ['gt', 'lt', 'gte', 'lte'];
const VALUELESS: readonly Operator[] = ['is_empty', 'is_not_empty'];
export const LOGIC_OPS = ['AND', 'OR'] as const;
export type LogicOp = (typeof LOGIC_OPS)[number];

/** A number as a rule value and as a stored text value may spell it (so `metadata->>'x'` is cast only when it parses). */
const NUMBER_PATTERN = '^\\s*[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?\\s*$';
const NUMBER_RE = new RegExp(NUMBER_PATTERN);

/** The fields of a rule that decide membership. */
export interface RuleCondition {
  rule_type: RuleType;
  field_name: string;
  operator: Operator;
  value: string | null;
  event_type: string | null;
}

export interface SegmentRuleForLogic extends RuleCondition {
  logic_group: number;
  logic_op: LogicOp;
  order_index: number;
  active: boolean;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

const isLevel = (t: RuleType) => LEVEL_TYPES.includes(t);

/**
 * What is wrong with a rule as it would be stored (after a partial update merged into the old one): the field name
 * (level rules name no field: theirs defaults to the level), the operator for the type, a value unless the operator
 * needs none, and a number for the comparisons.
 */
export function ruleProblems(r: { rule_type: string; field_name?: string | null; operator: string; value?: string | null }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!(RULE_TYPES as readonly string[]).includes(r.rule_type)) {
    problems.push({ field: 'rule_type', reason: `must be one of: ${RULE_TYPES.join(', ')}` });
    return problems;
  }
  const type = r.rule_type as RuleType;
  if (!isLevel(type) && !r.field_name?.trim()) problems.push({ field: 'field_name', reason: 'is required' });
  if (!(OPERATORS as readonly string[]).includes(r.operator)) {
    problems.push({ field: 'operator', reason: `must be one of: ${OPERATORS.join(', ')}` });
    return problems;
  }
  const op = r.operator as Operator;
  if (isLevel(type) && !LEVEL_OPERATORS.includes(op))
    problems.push({ field: 'operator', reason: `a ${type} rule accepts only: ${LEVEL_OPERATORS.join(', ')}` });
  if (!VALUELESS.includes(op)) {
    if (r.value === undefined || r.value === null || r.value === '') problems.push({ field: 'value', reason: `is required with operator ${op}` });
    else if (NUMERIC.includes(op) && !NUMBER_RE.test(r.value)) problems.push({ field: 'value', reason: `must be a number with operator ${op}` });
  }
  return problems;
}

/** The operator applied to a text expression (null when the field is absent). Text comparisons ignore case. */
function condition(x: Sql, op: Operator, value: string | null): Sql {
  const v = value ?? '';
  switch (op) {
    case 'equals':
      return sql`lower(${x}) = lower(${v}::text)`;
    case 'not_equals':
      return sql`(${x} IS NULL OR lower(${x}) <> lower(${v}::text))`;
    case 'contains':
      return sql`strpos(lower(${x}), lower(${v}::text)) > 0`;
    case 'starts_with':
      return sql`starts_with(lower(${x}), lower(${v}::text))`;
    case 'ends_with':
      return sql`right(lower(${x}), length(${v}::text)) = lower(${v}::text)`;
    case 'is_empty':
      return sql`(${x} IS NULL OR btrim(${x}) = '')`;
    case 'is_not_empty':
      return sql`(${x} IS NOT NULL AND btrim(${x}) <> '')`;
    default: {
      const cmp = raw({ gt: '>', lt: '<', gte: '>=', lte: '<=' }[op]);
      // only a value that parses as a number compares (a text or a missing field never holds)
      return sql`(CASE WHEN ${x} ~ ${NUMBER_PATTERN}::text THEN btrim(${x})::numeric END) ${cmp} ${Number(v)}::numeric`;
    }
  }
}

/**
 * One rule as a predicate over a lead `l` (a row of `leads`) and its account `a` (`accounts` LEFT JOINed on
 * `a.id = l.account_ref`). Every value, field name and event type is a bound parameter.
 */
export function compileRule(r: RuleCondition): Sql {
  switch (r.rule_type) {
    case 'lead_metadata':
      return condition(sql`(l.metadata->>${r.field_name}::text)`, r.operator, r.value);
    case 'account_metadata':
      return condition(sql`(a.metadata->>${r.field_name}::text)`, r.operator, r.value);
    case 'engagement_level':
      return condition(raw('l.engagement_level'), r.operator, r.value);
    case 'profile_level':
      return condition(raw('l.profile_level'), r.operator, r.value);
    case 'account_level':
      return condition(raw('a.account_level'), r.operator, r.value);
    case 'event_metadata': {
      // SEG-4: any event of the type (any type when none is named) whose metadata satisfies the condition
      const type = r.event_type?.trim() ? sql` AND e.event_type = ${r.event_type.trim()}::text` : raw('');
      return sql`EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_ref = l.id${type} AND ${condition(sql`(e.metadata->>${r.field_name}::text)`, r.operator, r.value)})`;
    }
  }
}

/**
 * SEG-10: active rules sorted by (logic_group, order_index); inside a group folded left to right, each rule joined to
 * what precedes it by its own `logic_op` (the first one's ignored); groups AND-ed; no active rule matches nobody.
 */
export function compileSegment(rules: readonly SegmentRuleForLogic[]): Sql {
  const active = rules.filter((r) => r.active);
  if (!active.length) return raw('FALSE');
  const sorted = [...active].sort((x, y) => x.logic_group - y.logic_group || x.order_index - y.order_index);
  const groups: Sql[] = [];
  let current: Sql | null = null;
  let group: number | null = null;
  for (const r of sorted) {
    if (r.logic_group !== group) {
      if (current) groups.push(current);
      current = null;
      group = r.logic_group;
    }
    const term = compileRule(r);
    current = current ? sql`(${current} ${raw(r.logic_op === 'OR' ? 'OR' : 'AND')} ${term})` : term;
  }
  if (current) groups.push(current);
  return joinSql(groups.map((g) => sql`(${g})`));
}

/** Whether a segment's rules read the lead's account (the compiled predicate needs the LEFT JOIN). */
export function readsAccount(rules: readonly SegmentRuleForLogic[]): boolean {
  return rules.some((r) => r.active && (r.rule_type === 'account_metadata' || r.rule_type === 'account_level'));
}
