import { decayPeriodSeconds, decayRuleChanges, DecayRuleInputError, newDecayRule } from './decay-rule-input';

const problems = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof DecayRuleInputError) return err.problems;
    throw err;
  }
  throw new Error('no error');
};

describe('decay rule input', () => {
  it('takes the seed shape as is', () => {
    expect(newDecayRule({ inactive_for: 30, unit: 'days', decrease: 25 })).toEqual({ inactive_for: 30, unit: 'days', decrease: 25, name: null, active: true });
  });

  it('maps the docs shape: interval_days → inactive_for in days, points → −decrease', () => {
    expect(newDecayRule({ name: ' Monthly ', points: -10, interval_days: 30, active: false })).toEqual({
      inactive_for: 30,
      unit: 'days',
      decrease: 10,
      name: 'Monthly',
      active: false,
    });
  });

  it('names every missing field in the shape the body uses', () => {
    expect(problems(() => newDecayRule({}))).toEqual([
      { field: 'inactive_for', reason: 'is required' },
      { field: 'unit', reason: 'is required' },
      { field: 'decrease', reason: 'is required' },
    ]);
    expect(problems(() => newDecayRule({ interval_days: 7 }))).toEqual([{ field: 'points', reason: 'is required' }]);
    expect(problems(() => newDecayRule({ points: -7 }))).toEqual([{ field: 'interval_days', reason: 'is required' }]);
  });

  it('refuses one quantity sent in both shapes', () => {
    expect(problems(() => decayRuleChanges({ decrease: 3, points: -3 }))).toEqual([{ field: 'points', reason: 'cannot be combined with decrease' }]);
    expect(problems(() => decayRuleChanges({ interval_days: 3, inactive_for: 3, unit: 'days' }))).toEqual([
      { field: 'interval_days', reason: 'cannot be combined with inactive_for' },
      { field: 'interval_days', reason: 'cannot be combined with unit' },
    ]);
  });

  it('changes only what a partial update names', () => {
    expect(decayRuleChanges({ decrease: 4 })).toEqual({ decrease: 4 });
    expect(decayRuleChanges({ interval_days: 2 })).toEqual({ inactive_for: 2, unit: 'days' });
    expect(decayRuleChanges({ name: null })).toEqual({ name: null });
  });

  it('measures periods in seconds', () => {
    expect([decayPeriodSeconds({ inactive_for: 2, unit: 'hours' }), decayPeriodSeconds({ inactive_for: 1, unit: 'weeks' })]).toEqual([7200, 604800]);
  });
});
