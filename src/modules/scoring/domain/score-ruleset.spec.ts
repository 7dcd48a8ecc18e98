import { MS_PER_DAY } from './half-life';
import { Rule, Ruleset } from './ruleset';
import { RulesetContribution, StoredContribution, contributionPoints, excludedByReset, rulesetScore, scoreEvent } from './score-ruleset';
import { ScoringContext, ScoringEvent } from './scoring-event';

const rule = (id: string, patch: Partial<Rule> = {}): Rule => ({
  id,
  event_type: 'Page View',
  weight: 10,
  half_life_days: 14,
  active: true,
  priority: 0,
  filters: [],
  ...patch,
});
const event = (patch: Partial<ScoringEvent> = {}): ScoringEvent => ({
  event_type: 'page_view',
  occurred_at: new Date('2025-03-15T12:00:00Z'),
  metadata: { path: '/pricing' },
  suppression: null,
  ...patch,
});
const ctx: ScoringContext = { hiddenEventTypes: new Set() };

describe('scoreEvent (RS-1, RS-6, SC-1)', () => {
  const models: Ruleset[] = [
    { id: 'rs-a', active: true, rules: [rule('a-view', { weight: 10, half_life_days: 14 })] },
    { id: 'rs-b', active: true, rules: [rule('b-view', { weight: -3, half_life_days: null })] },
    { id: 'rs-c', active: true, rules: [rule('c-demo', { event_type: 'Demo Request', weight: 50 })] },
    { id: 'rs-d', active: false, rules: [rule('d-view')] },
  ];

  it('gives one entry per ruleset, each with its own rule and weight', () => {
    expect(scoreEvent(models, event(), ctx)).toEqual<RulesetContribution[]>([
      { ruleset_id: 'rs-a', rule_id: 'a-view', base_points: 10, multiplier: 1, half_life_days: 14 },
      { ruleset_id: 'rs-b', rule_id: 'b-view', base_points: -3, multiplier: 1, half_life_days: null },
      { ruleset_id: 'rs-c', rule_id: null, base_points: 0, multiplier: 1, half_life_days: null },
      { ruleset_id: 'rs-d', rule_id: null, base_points: 0, multiplier: 1, half_life_days: null },
    ]);
  });

  it('records the surge multiplier frozen at event time', () => {
    const [first] = scoreEvent(models, event(), { ...ctx, surgeMultiplier: 1.25 });
    expect(first).toEqual<RulesetContribution>({ ruleset_id: 'rs-a', rule_id: 'a-view', base_points: 10, multiplier: 1.25, half_life_days: 14 });
  });

  it('awards only the first matching rule per ruleset', () => {
    const prioritised: Ruleset = {
      id: 'rs',
      active: true,
      rules: [
        rule('catch-all', { priority: 1, weight: 2 }),
        rule('pricing', { priority: 0, weight: 20, filters: [{ key: 'path', operator: 'contains', value: '/pricing' }] }),
      ],
    };
    expect(scoreEvent([prioritised], event(), ctx)).toEqual<RulesetContribution[]>([
      { ruleset_id: 'rs', rule_id: 'pricing', base_points: 20, multiplier: 1, half_life_days: 14 },
    ]);
  });

  it('awards nothing to a suppressed event', () => {
    expect(scoreEvent(models, event({ suppression: 'inorganic' }), ctx).map((c) => c.base_points)).toEqual([0, 0, 0, 0]);
  });

  it('returns nothing without rulesets', () => {
    expect(scoreEvent([], event(), ctx)).toEqual([]);
  });
});

const now = new Date('2025-06-30T00:00:00Z');
const contribution = (daysAgo: number, base: number, patch: Partial<StoredContribution> = {}): StoredContribution => ({
  occurred_at: new Date(now.getTime() - daysAgo * MS_PER_DAY),
  base_points: base,
  multiplier: 1,
  half_life_days: null,
  ...patch,
});

describe('contributionPoints', () => {
  it('multiplies base, surge multiplier and half-life factor', () => {
    expect(contributionPoints(contribution(0, 10, { half_life_days: 14 }), now)).toBe(10);
    expect(contributionPoints(contribution(14, 10, { half_life_days: 14 }), now)).toBe(5);
    expect(contributionPoints(contribution(28, 10, { half_life_days: 14, multiplier: 2 }), now)).toBe(5);
    expect(contributionPoints(contribution(14, -8, { half_life_days: 7, multiplier: 1.5 }), now)).toBe(-3);
    expect(contributionPoints(contribution(365, 10), now)).toBe(10);
  });
});

describe('rulesetScore (SC-2, SC-4, LEAD-20)', () => {
  it('sums decayed contributions', () => {
    const contributions = [
      contribution(0, 10, { half_life_days: 14 }), // 10
      contribution(14, 10, { half_life_days: 14 }), // 5
      contribution(28, 10, { half_life_days: 14, multiplier: 1.25 }), // 3.125
      contribution(100, 7), // 7, no decay
    ];
    expect(rulesetScore(contributions, now, { allowNegative: false })).toBe(25.125);
  });

  it('lets negative weights offset positive points (the floor is on the total, not per contribution)', () => {
    const contributions = [contribution(2, 10), contribution(1, -4)];
    expect(rulesetScore(contributions, now, { allowNegative: false })).toBe(6);
  });

  it('floors the total at 0 unless negative scores are allowed', () => {
    const contributions = [contribution(3, 10), contribution(2, -15), contribution(1, 2)];
    expect(rulesetScore(contributions, now, { allowNegative: false })).toBe(0);
    expect(rulesetScore(contributions, now, { allowNegative: true })).toBe(-3);
  });

  it('applies decay to negative contributions too', () => {
    const contributions = [contribution(14, -20, { half_life_days: 14 })];
    expect(rulesetScore(contributions, now, { allowNegative: true })).toBe(-10);
    expect(rulesetScore(contributions, now, { allowNegative: false })).toBe(0);
  });

  it('is 0 for no contributions', () => {
    expect(rulesetScore([], now, { allowNegative: true })).toBe(0);
  });

  it('excludes contributions strictly before the reset', () => {
    const resetAt = new Date(now.getTime() - 5 * MS_PER_DAY);
    const contributions = [contribution(10, 40), contribution(5, 3), contribution(1, 2)];
    expect(rulesetScore(contributions, now, { allowNegative: false, resetAt })).toBe(5);
    expect(rulesetScore(contributions, now, { allowNegative: false, resetAt: null })).toBe(45);
    expect(rulesetScore(contributions, now, { allowNegative: false })).toBe(45);
  });

  it('excludes a negative pre-reset contribution as well, so a reset also clears a debt', () => {
    const resetAt = new Date(now.getTime() - 5 * MS_PER_DAY);
    const contributions = [contribution(10, -40), contribution(1, 2)];
    expect(rulesetScore(contributions, now, { allowNegative: true, resetAt })).toBe(2);
  });
});

describe('excludedByReset', () => {
  const resetAt = new Date('2025-06-01T00:00:00Z');
  it('is strict: an event at the reset instant counts', () => {
    expect(excludedByReset({ ...contribution(0, 1), occurred_at: new Date('2025-05-31T23:59:59.999Z') }, resetAt)).toBe(true);
    expect(excludedByReset({ ...contribution(0, 1), occurred_at: resetAt }, resetAt)).toBe(false);
    expect(excludedByReset(contribution(0, 1), null)).toBe(false);
    expect(excludedByReset(contribution(0, 1), undefined)).toBe(false);
  });
});
