import { matchRule, ruleAccepts, rulesByPriority } from './rule-matching';
import { Rule, Ruleset } from './ruleset';
import { ScoringContext, ScoringEvent } from './scoring-event';

const rule = (id: string, patch: Partial<Rule> = {}): Rule => ({
  id,
  event_type: 'Page View',
  weight: 5,
  half_life_days: null,
  active: true,
  priority: 0,
  filters: [],
  ...patch,
});
const ruleset = (rules: Rule[], patch: Partial<Ruleset> = {}): Ruleset => ({ id: 'rs-1', active: true, rules, ...patch });
const event = (patch: Partial<ScoringEvent> = {}): ScoringEvent => ({
  event_type: 'page_view',
  occurred_at: new Date('2025-03-15T12:00:00Z'),
  metadata: { path: '/pricing/teams' },
  suppression: null,
  ...patch,
});
const ctx: ScoringContext = { hiddenEventTypes: new Set() };

const pricing = rule('pricing', { priority: 0, weight: 20, filters: [{ key: 'path', operator: 'contains', value: '/pricing' }] });
const catchAll = rule('catch-all', { priority: 1, weight: 2 });

describe('matchRule: RULE-3 gates', () => {
  it('matches an active rule of the same canonical type', () => {
    expect(matchRule(ruleset([rule('r')]), event({ event_type: 'page-view ' }), ctx)?.id).toBe('r');
  });

  it('does not match another type', () => {
    expect(matchRule(ruleset([rule('r', { event_type: 'Demo Request' })]), event(), ctx)).toBeNull();
  });

  it('does not match through an inactive rule', () => {
    expect(matchRule(ruleset([rule('r', { active: false })]), event(), ctx)).toBeNull();
  });

  it('does not match in an inactive ruleset', () => {
    expect(matchRule(ruleset([rule('r')], { active: false }), event(), ctx)).toBeNull();
  });

  it('respects the ruleset dates at 00:00 and 23:59:59.999 UTC', () => {
    const dated = ruleset([rule('r')], { start_date: '2025-03-15', end_date: '2025-03-20' });
    expect(matchRule(dated, event({ occurred_at: new Date('2025-03-14T23:59:59.999Z') }), ctx)).toBeNull();
    expect(matchRule(dated, event({ occurred_at: new Date('2025-03-15T00:00:00.000Z') }), ctx)?.id).toBe('r');
    expect(matchRule(dated, event({ occurred_at: new Date('2025-03-20T23:59:59.999Z') }), ctx)?.id).toBe('r');
    expect(matchRule(dated, event({ occurred_at: new Date('2025-03-21T00:00:00.000Z') }), ctx)).toBeNull();
  });

  it('respects the rule window: start inclusive, end exclusive', () => {
    const windowed = ruleset([rule('r', { start_at: new Date('2025-03-15T12:00:00Z'), end_at: new Date('2025-03-16T12:00:00Z') })]);
    expect(matchRule(windowed, event({ occurred_at: new Date('2025-03-15T11:59:59.999Z') }), ctx)).toBeNull();
    expect(matchRule(windowed, event({ occurred_at: new Date('2025-03-15T12:00:00.000Z') }), ctx)?.id).toBe('r');
    expect(matchRule(windowed, event({ occurred_at: new Date('2025-03-16T11:59:59.999Z') }), ctx)?.id).toBe('r');
    expect(matchRule(windowed, event({ occurred_at: new Date('2025-03-16T12:00:00.000Z') }), ctx)).toBeNull();
  });

  it('needs every attribute filter to hold', () => {
    const both = rule('r', {
      filters: [
        { key: 'path', operator: 'contains', value: '/pricing' },
        { key: 'utm.source', operator: 'equals', value: 'linkedin' },
      ],
    });
    expect(matchRule(ruleset([both]), event({ metadata: { path: '/pricing', utm: { source: 'LinkedIn' } } }), ctx)?.id).toBe('r');
    expect(matchRule(ruleset([both]), event({ metadata: { path: '/pricing', utm: { source: 'google' } } }), ctx)).toBeNull();
    expect(matchRule(ruleset([both]), event({ metadata: null }), ctx)).toBeNull();
  });

  it.each(['metadata_filter', 'fan_out', 'inorganic', 'inorganic_grouped'] as const)('never matches a %s event', (suppression) => {
    expect(matchRule(ruleset([rule('r')]), event({ suppression }), ctx)).toBeNull();
  });

  it('never matches an event type hidden in the OU, by canonical key', () => {
    const hidden: ScoringContext = { hiddenEventTypes: new Set(['page_view']) };
    expect(matchRule(ruleset([rule('r')]), event({ event_type: 'Page View' }), hidden)).toBeNull();
    expect(matchRule(ruleset([rule('r', { event_type: 'Demo Request' })]), event({ event_type: 'Demo Request' }), hidden)?.id).toBe('r');
  });

  it('returns null for an empty ruleset', () => {
    expect(matchRule(ruleset([]), event(), ctx)).toBeNull();
  });
});

describe('matchRule: RULE-6 priority (first matching rule of the type wins)', () => {
  it('lets a filtered rule above an unfiltered catch-all win', () => {
    expect(matchRule(ruleset([catchAll, pricing]), event(), ctx)?.id).toBe('pricing');
  });

  it('falls through to the catch-all when the filter does not hold', () => {
    expect(matchRule(ruleset([catchAll, pricing]), event({ metadata: { path: '/blog' } }), ctx)?.id).toBe('catch-all');
  });

  it('changes outcome when reordered: a catch-all on top shadows the filtered rule', () => {
    const reordered = [
      { ...catchAll, priority: 0 },
      { ...pricing, priority: 1 },
    ];
    expect(matchRule(ruleset(reordered), event(), ctx)?.id).toBe('catch-all');
  });

  it('skips an inactive higher-priority rule instead of blocking', () => {
    expect(matchRule(ruleset([{ ...pricing, active: false }, catchAll]), event(), ctx)?.id).toBe('catch-all');
  });

  it('skips a higher-priority rule outside its window', () => {
    const expired = { ...pricing, end_at: new Date('2025-03-01T00:00:00Z') };
    expect(matchRule(ruleset([expired, catchAll]), event(), ctx)?.id).toBe('catch-all');
  });

  it('never lets rules of different event types compete', () => {
    const demo = rule('demo', { event_type: 'Demo Request', priority: 0, weight: 100 });
    const view = rule('view', { priority: 5 });
    expect(matchRule(ruleset([demo, view]), event(), ctx)?.id).toBe('view');
    expect(matchRule(ruleset([demo, view]), event({ event_type: 'demo_request' }), ctx)?.id).toBe('demo');
  });

  it('lets a zero-weight rule win', () => {
    const zero = rule('zero', { priority: 0, weight: 0 });
    expect(matchRule(ruleset([catchAll, zero]), event(), ctx)?.id).toBe('zero');
  });

  it('breaks equal priorities by rule id, whatever the array order', () => {
    const b = rule('b', { priority: 3 });
    const a = rule('a', { priority: 3 });
    expect(matchRule(ruleset([b, a]), event(), ctx)?.id).toBe('a');
    expect(matchRule(ruleset([a, b]), event(), ctx)?.id).toBe('a');
  });
});

describe('rulesByPriority', () => {
  it('sorts by priority then id, without touching the input', () => {
    const input = [rule('c', { priority: 2 }), rule('b', { priority: 0 }), rule('a', { priority: 2 })];
    expect(rulesByPriority(input).map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(input.map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('ruleAccepts', () => {
  it('checks only the rule itself (no ruleset, suppression or hidden-type gates)', () => {
    expect(ruleAccepts(pricing, event({ suppression: 'inorganic' }))).toBe(true);
    expect(ruleAccepts(pricing, event({ metadata: {} }))).toBe(false);
  });
});
