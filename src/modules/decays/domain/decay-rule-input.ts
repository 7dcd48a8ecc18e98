/**
 * The two request shapes of a decay rule (behaviour §28.3) reduced to the one the server stores.
 * - seed: `{inactive_for, unit: hours|days|weeks, decrease}` — `decrease` points per period of `inactive_for` × `unit`.
 * - docs: `{name, points (negative), interval_days, active}` — `interval_days` → `inactive_for` with `unit = days`,
 *   `points` → `decrease = -points`.
 * `name` and `active` belong to both. A request uses one shape per quantity: sending `decrease` with `points`, or
 * `inactive_for`/`unit` with `interval_days`, is refused (which one would win is a guess).
 */
export const DECAY_UNITS = ['hours', 'days', 'weeks'] as const;
export type DecayUnit = (typeof DECAY_UNITS)[number];

export const UNIT_SECONDS: Readonly<Record<DecayUnit, number>> = { hours: 3_600, days: 86_400, weeks: 604_800 };

export interface DecayRuleInput {
  inactive_for?: number;
  unit?: DecayUnit;
  decrease?: number;
  name?: string | null;
  points?: number;
  interval_days?: number;
  active?: boolean;
}

export interface DecayRuleValues {
  inactive_for: number;
  unit: DecayUnit;
  decrease: number;
  name: string | null;
  active: boolean;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** Thrown with every problem of the body, each naming its field. */
export class DecayRuleInputError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.reason}`).join('; '));
  }
}

/** The changes a body asks for, in the stored shape (only what it names). */
export function decayRuleChanges(input: DecayRuleInput): Partial<DecayRuleValues> {
  const problems: FieldProblem[] = [];
  if (input.points !== undefined && input.decrease !== undefined) problems.push({ field: 'points', reason: 'cannot be combined with decrease' });
  if (input.interval_days !== undefined) {
    if (input.inactive_for !== undefined) problems.push({ field: 'interval_days', reason: 'cannot be combined with inactive_for' });
    if (input.unit !== undefined) problems.push({ field: 'interval_days', reason: 'cannot be combined with unit' });
  }
  if (problems.length) throw new DecayRuleInputError(problems);
  const out: Partial<DecayRuleValues> = {};
  if (input.interval_days !== undefined) Object.assign(out, { inactive_for: input.interval_days, unit: 'days' });
  if (input.inactive_for !== undefined) out.inactive_for = input.inactive_for;
  if (input.unit !== undefined) out.unit = input.unit;
  if (input.points !== undefined) out.decrease = -input.points;
  if (input.decrease !== undefined) out.decrease = input.decrease;
  if (input.name !== undefined) out.name = input.name === null ? null : input.name.trim();
  if (input.active !== undefined) out.active = input.active;
  return out;
}

/** A new rule: the period and the decrease are required, in either shape. */
export function newDecayRule(input: DecayRuleInput): DecayRuleValues {
  const changes = decayRuleChanges(input);
  const problems: FieldProblem[] = [];
  const docs = input.interval_days !== undefined || input.points !== undefined;
  if (changes.inactive_for === undefined) problems.push({ field: docs ? 'interval_days' : 'inactive_for', reason: 'is required' });
  if (changes.unit === undefined && input.interval_days === undefined && !docs) problems.push({ field: 'unit', reason: 'is required' });
  if (changes.decrease === undefined) problems.push({ field: docs ? 'points' : 'decrease', reason: 'is required' });
  if (problems.length) throw new DecayRuleInputError(problems);
  return {
    inactive_for: changes.inactive_for!,
    unit: changes.unit ?? 'days',
    decrease: changes.decrease!,
    name: changes.name ?? null,
    active: changes.active ?? true,
  };
}

/** The period in seconds. */
export function decayPeriodSeconds(rule: { inactive_for: number; unit: DecayUnit }): number {
  return rule.inactive_for * UNIT_SECONDS[rule.unit];
}
