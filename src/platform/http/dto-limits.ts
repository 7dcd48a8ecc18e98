import { ErrorDetail } from './app-error';
import { apiPropertyOptions, constraintOf, propertyRules } from './dto-constraints';
import { MAX_ARRAY_ITEMS, MAX_NUMBER, MAX_STRING_LENGTH } from './input-limits';

type Ctor = abstract new (...args: never[]) => unknown;

// constraints that bound a string's length on their own (the document shows them as maxLength or enum)
const BOUNDS_STRING = ['maxLength', 'isIn', 'isEnum', 'length'];

/**
 * What class-validator lets through and the document forbids, on a validated DTO (after transformation):
 * - `null` in an optional field not documented `nullable` (@IsOptional accepts null; the code then fails),
 * - a missing nested object that is not optional (@ValidateNested skips undefined),
 * - strings, arrays and numbers beyond the global limits when the field sets none of its own.
 */
export function dtoLimitProblems(value: unknown, target: Ctor, field = '', out: ErrorDetail[] = []): ErrorDetail[] {
  if (!value || typeof value !== 'object') return out;
  for (const rules of propertyRules(target)) {
    const path = field ? `${field}.${rules.property}` : rules.property;
    const v = (value as Record<string, unknown>)[rules.property];
    if (v === null) {
      if (rules.optional && !apiPropertyOptions(target, rules.property)?.nullable && !rules.names.has('isDefined'))
        out.push({ field: path, reason: 'must not be null (omit the field instead)' });
      continue;
    }
    if (v === undefined) {
      if (rules.nested && !rules.optional) out.push({ field: path, reason: 'is required' });
      continue;
    }
    const items = Array.isArray(v) ? v : [v];
    if (Array.isArray(v) && !rules.names.has('arrayMaxSize') && v.length > MAX_ARRAY_ITEMS)
      out.push({ field: path, reason: `must contain no more than ${MAX_ARRAY_ITEMS} elements` });
    items.forEach((item, i) => {
      const at = Array.isArray(v) ? `${path}[${i}]` : path;
      if (typeof item === 'string' && !BOUNDS_STRING.some((n) => rules.names.has(n)) && item.length > MAX_STRING_LENGTH) {
        out.push({ field: at, reason: `must be shorter than or equal to ${MAX_STRING_LENGTH} characters` });
      } else if (
        typeof item === 'number' &&
        outOfRange(
          item,
          rules.names.has('max') ? (constraintOf(rules, 'max') as number) : undefined,
          rules.names.has('min') ? (constraintOf(rules, 'min') as number) : undefined,
        )
      ) {
        out.push({ field: at, reason: Number.isFinite(item) ? `must be between ${-MAX_NUMBER} and ${MAX_NUMBER}` : 'must be a finite number' });
      } else if (rules.nested && item && typeof item === 'object' && item.constructor !== Object) {
        dtoLimitProblems(item, item.constructor as Ctor, at, out);
      }
    });
  }
  return out;
}

function outOfRange(n: number, max?: number, min?: number): boolean {
  if (!Number.isFinite(n)) return true;
  return (max === undefined && n > MAX_NUMBER) || (min === undefined && n < -MAX_NUMBER);
}
