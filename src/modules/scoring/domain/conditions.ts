import { Metadata, metadataValueAsText, readMetadataValue } from './metadata-path';

/** MF-8 suggested default set; shared by metadata filters (§4.1) and rule attribute filters (RULE-9). */
export const CONDITION_OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'exists',
  'not_exists',
  'gt',
  'gte',
  'lt',
  'lte',
] as const;
/** PRF-7 operators of attribute rules beyond the filter set: list membership (comma-separated) and emptiness. */
export const LIST_AND_EMPTINESS_OPERATORS = ['in', 'not_in', 'is_empty', 'is_not_empty'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number] | (typeof LIST_AND_EMPTINESS_OPERATORS)[number];

export type ConditionValue = string | number | boolean | null;

export interface Condition {
  key: string;
  operator: ConditionOperator;
  /** Ignored by `exists` / `not_exists`. */
  value?: ConditionValue;
}

/**
 * MF-8: an absent key satisfies only the negative operators. `null` counts as absent: senders use it for
 * "no value", and a `null` that satisfied `equals ""` or `exists` would surprise more than it helps.
 */
const SATISFIED_BY_ABSENT_KEY: ReadonlySet<ConditionOperator> = new Set(['not_exists', 'not_equals', 'not_contains', 'not_in', 'is_empty']);
const VALUELESS_OPERATORS: ReadonlySet<ConditionOperator> = new Set(['exists', 'not_exists', 'is_empty', 'is_not_empty']);
export const NUMERIC_OPERATORS: ReadonlySet<ConditionOperator> = new Set(['gt', 'gte', 'lt', 'lte']);

/** `in` / `not_in`: the comparison value is a comma-separated list; items are trimmed, compared case-insensitively. */
export function listItems(value: unknown): string[] {
  return metadataValueAsText(value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
}

/** Empty: absent, null, blank text, an empty list or object. */
function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Plain decimal notation only: `Number()` alone would also accept "0x10", "Infinity", "" and booleans. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function asNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
  return Number.NaN;
}

function compareNumbers(actual: unknown, expected: unknown, test: (a: number, b: number) => boolean): boolean {
  const a = asNumber(actual);
  const b = asNumber(expected);
  return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
}

export function isConditionOperator(value: unknown): value is ConditionOperator {
  return typeof value === 'string' && (CONDITION_OPERATORS as readonly string[]).includes(value);
}

export function conditionHolds(condition: Condition, metadata: Metadata | null | undefined): boolean {
  const actual = readMetadataValue(metadata, condition.key);
  if (condition.operator === 'is_empty') return isEmptyValue(actual);
  if (condition.operator === 'is_not_empty') return !isEmptyValue(actual);
  if (actual === undefined || actual === null) return SATISFIED_BY_ABSENT_KEY.has(condition.operator);

  const text = metadataValueAsText(actual).toLowerCase();
  const expected = metadataValueAsText(condition.value ?? '').toLowerCase();
  const operator = condition.operator;
  switch (operator) {
    case 'equals':
      return text === expected;
    case 'not_equals':
      return text !== expected;
    case 'contains':
      return text.includes(expected);
    case 'not_contains':
      return !text.includes(expected);
    case 'starts_with':
      return text.startsWith(expected);
    case 'ends_with':
      return text.endsWith(expected);
    case 'exists':
      return true;
    case 'not_exists':
      return false;
    case 'gt':
      return compareNumbers(actual, condition.value, (a, b) => a > b);
    case 'gte':
      return compareNumbers(actual, condition.value, (a, b) => a >= b);
    case 'lt':
      return compareNumbers(actual, condition.value, (a, b) => a < b);
    case 'lte':
      return compareNumbers(actual, condition.value, (a, b) => a <= b);
    case 'in':
      return listItems(condition.value).includes(text.trim());
    case 'not_in':
      return !listItems(condition.value).includes(text.trim());
    default: {
      // Stored data that predates an operator's removal fails closed: nothing suppressed, nothing awarded.
      const unhandled: never = operator;
      void unhandled;
      return false;
    }
  }
}

/** AND-combined (MF-3, RULE-9); an empty list holds, so an unfiltered rule matches every event of its type. */
export function allConditionsHold(conditions: readonly Condition[], metadata: Metadata | null | undefined): boolean {
  return conditions.every((condition) => conditionHolds(condition, metadata));
}

/**
 * The checks a DTO, a CLI command and a queue consumer must all apply identically, so they live here.
 * Returns human-readable problems; empty means valid.
 */
export function conditionProblems(condition: { key?: unknown; operator?: unknown; value?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof condition.key !== 'string' || condition.key.trim() === '') problems.push('key must be a non-empty string');
  if (!isConditionOperator(condition.operator)) {
    problems.push(`operator must be one of ${CONDITION_OPERATORS.join(', ')}`);
    return problems;
  }
  if (VALUELESS_OPERATORS.has(condition.operator)) return problems;
  const value = condition.value;
  if (value === undefined || value === null) {
    problems.push(`value is required for ${condition.operator}`);
  } else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    problems.push('value must be a string, number or boolean');
  } else if (NUMERIC_OPERATORS.has(condition.operator) && Number.isNaN(asNumber(value))) {
    problems.push(`value must be numeric for ${condition.operator}`);
  }
  return problems;
}

const OPERATOR_WORDS: Record<ConditionOperator, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  ends_with: 'ends with',
  exists: 'exists',
  not_exists: 'does not exist',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  in: 'is one of',
  not_in: 'is none of',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
};

/**
 * RULE-9 / EXP-2 `filter_label`, e.g. `path contains /pricing and utm.source equals linkedin`. Values are shown
 * unquoted as in the docs' example. `undefined` when there are no conditions, because EXP-2 omits the field
 * for unfiltered rules.
 */
export function renderFilterLabel(conditions: readonly Condition[]): string | undefined {
  if (conditions.length === 0) return undefined;
  return conditions
    .map(({ key, operator, value }) => {
      const words = OPERATOR_WORDS[operator] ?? operator;
      return VALUELESS_OPERATORS.has(operator) ? `${key} ${words}` : `${key} ${words} ${metadataValueAsText(value ?? '')}`;
    })
    .join(' and ');
}
