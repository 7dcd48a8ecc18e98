import {
  CONDITION_OPERATORS,
  Condition,
  ConditionOperator,
  ConditionValue,
  allConditionsHold,
  conditionHolds,
  conditionProblems,
  isConditionOperator,
  renderFilterLabel,
} from './conditions';

const metadata = {
  path: '/Pricing/Enterprise',
  source: 'LinkedIn',
  count: 5,
  amount: '12.50',
  padded: ' 7 ',
  flag: true,
  tags: ['Beta', 'vip'],
  utm: { source: 'Google', campaign: 'Spring' },
  nothing: null,
  blank: '',
};

function holds(key: string, operator: ConditionOperator, value?: ConditionValue): boolean {
  return conditionHolds({ key, operator, value }, metadata);
}

describe('CONDITION_OPERATORS (MF-8)', () => {
  it('lists the twelve operators in a fixed order', () => {
    expect(CONDITION_OPERATORS).toEqual([
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
    ]);
  });

  it('recognises only those operators', () => {
    expect(isConditionOperator('contains')).toBe(true);
    expect(isConditionOperator('CONTAINS')).toBe(false);
    expect(isConditionOperator('matches')).toBe(false);
    expect(isConditionOperator(3)).toBe(false);
  });
});

describe('conditionHolds with a present key', () => {
  it.each<[string, ConditionOperator, ConditionValue | undefined, boolean]>([
    ['source', 'equals', 'linkedin', true],
    ['source', 'equals', 'LINKEDIN', true],
    ['source', 'equals', 'linked', false],
    ['count', 'equals', 5, true],
    ['count', 'equals', '5', true],
    ['flag', 'equals', true, true],
    ['flag', 'equals', 'TRUE', true],
    ['blank', 'equals', '', true],
    ['source', 'not_equals', 'linkedin', false],
    ['source', 'not_equals', 'twitter', true],
    ['path', 'contains', '/pricing', true],
    ['path', 'contains', 'ENTERPRISE', true],
    ['path', 'contains', '/blog', false],
    ['tags', 'contains', 'beta', true],
    ['path', 'not_contains', '/pricing', false],
    ['path', 'not_contains', '/blog', true],
    ['path', 'starts_with', '/pricing', true],
    ['path', 'starts_with', 'pricing', false],
    ['path', 'ends_with', '/enterprise', true],
    ['path', 'ends_with', '/pricing', false],
    ['source', 'exists', undefined, true],
    ['blank', 'exists', undefined, true],
    ['source', 'not_exists', undefined, false],
    ['count', 'gt', 4, true],
    ['count', 'gt', 5, false],
    ['count', 'gte', 5, true],
    ['count', 'gte', 6, false],
    ['count', 'lt', 6, true],
    ['count', 'lt', 5, false],
    ['count', 'lte', 5, true],
    ['count', 'lte', 4, false],
    ['amount', 'gt', '12.4', true],
    ['amount', 'lt', 12.5, false],
    ['amount', 'lte', 12.5, true],
    ['padded', 'equals', 7, false], // strings compare untrimmed
    ['padded', 'gte', 7, true], // numbers are trimmed before parsing
    ['utm.source', 'equals', 'google', true],
    ['utm.campaign', 'starts_with', 'spr', true],
  ])('%s %s %p → %p', (key, operator, value, expected) => {
    expect(holds(key, operator, value)).toBe(expected);
  });
});

describe('conditionHolds with a missing key (MF-8)', () => {
  it.each<[ConditionOperator, boolean]>([
    ['equals', false],
    ['not_equals', true],
    ['contains', false],
    ['not_contains', true],
    ['starts_with', false],
    ['ends_with', false],
    ['exists', false],
    ['not_exists', true],
    ['gt', false],
    ['gte', false],
    ['lt', false],
    ['lte', false],
  ])('absent key: %s → %p', (operator, expected) => {
    expect(holds('absent', operator, 'x')).toBe(expected);
    expect(holds('utm.absent', operator, 'x')).toBe(expected);
    expect(conditionHolds({ key: 'path', operator, value: 'x' }, null)).toBe(expected);
    expect(conditionHolds({ key: 'path', operator, value: 'x' }, undefined)).toBe(expected);
  });

  it('treats a null value like an absent key', () => {
    expect(holds('nothing', 'exists')).toBe(false);
    expect(holds('nothing', 'not_exists')).toBe(true);
    expect(holds('nothing', 'equals', '')).toBe(false);
    expect(holds('nothing', 'not_equals', 'x')).toBe(true);
  });
});

describe('numeric operators with non-numeric input', () => {
  it.each<[string, ConditionOperator, ConditionValue]>([
    ['source', 'gt', 1],
    ['source', 'lt', 1],
    ['flag', 'gte', 0],
    ['flag', 'lte', 1],
    ['tags', 'gt', 0],
    ['blank', 'lte', 0],
    ['count', 'gt', 'five'],
    ['count', 'lt', ''],
    ['count', 'gte', null],
    ['count', 'lte', true],
  ])('%s %s %p fails', (key, operator, value) => {
    expect(holds(key, operator, value)).toBe(false);
  });

  it('does not accept hexadecimal or Infinity as numbers', () => {
    expect(conditionHolds({ key: 'n', operator: 'gt', value: 1 }, { n: '0x10' })).toBe(false);
    expect(conditionHolds({ key: 'n', operator: 'gt', value: 1 }, { n: 'Infinity' })).toBe(false);
    expect(conditionHolds({ key: 'n', operator: 'lt', value: 1 }, { n: Number.NaN })).toBe(false);
  });

  it('accepts signs, decimals and exponents', () => {
    expect(conditionHolds({ key: 'n', operator: 'lt', value: 0 }, { n: '-3' })).toBe(true);
    expect(conditionHolds({ key: 'n', operator: 'equals', value: '1e3' }, { n: '1e3' })).toBe(true);
    expect(conditionHolds({ key: 'n', operator: 'gte', value: '1e3' }, { n: 1000 })).toBe(true);
    expect(conditionHolds({ key: 'n', operator: 'gt', value: '.5' }, { n: '0.6' })).toBe(true);
  });
});

describe('conditionHolds with stored data that has an unknown operator', () => {
  it('fails closed', () => {
    const stale = { key: 'source', operator: 'matches' } as unknown as Condition;
    expect(conditionHolds(stale, metadata)).toBe(false);
  });
});

describe('allConditionsHold', () => {
  it('AND-combines and holds for an empty list', () => {
    const pricing: Condition = { key: 'path', operator: 'contains', value: '/pricing' };
    const linkedin: Condition = { key: 'source', operator: 'equals', value: 'linkedin' };
    const twitter: Condition = { key: 'source', operator: 'equals', value: 'twitter' };
    expect(allConditionsHold([], metadata)).toBe(true);
    expect(allConditionsHold([pricing, linkedin], metadata)).toBe(true);
    expect(allConditionsHold([pricing, twitter], metadata)).toBe(false);
  });
});

describe('conditionProblems', () => {
  it('accepts well-formed conditions', () => {
    expect(conditionProblems({ key: 'path', operator: 'contains', value: '/pricing' })).toEqual([]);
    expect(conditionProblems({ key: 'path', operator: 'exists' })).toEqual([]);
    expect(conditionProblems({ key: 'n', operator: 'gt', value: '10.5' })).toEqual([]);
    expect(conditionProblems({ key: 'flag', operator: 'equals', value: false })).toEqual([]);
  });

  it('names every problem', () => {
    expect(conditionProblems({ key: ' ', operator: 'equals', value: 'x' })).toEqual(['key must be a non-empty string']);
    expect(conditionProblems({ key: 'k', operator: 'like', value: 'x' })).toEqual([`operator must be one of ${CONDITION_OPERATORS.join(', ')}`]);
    expect(conditionProblems({ key: 'k', operator: 'equals' })).toEqual(['value is required for equals']);
    expect(conditionProblems({ key: 'k', operator: 'contains', value: null })).toEqual(['value is required for contains']);
    expect(conditionProblems({ key: 'k', operator: 'equals', value: { a: 1 } })).toEqual(['value must be a string, number or boolean']);
    expect(conditionProblems({ key: 'k', operator: 'gte', value: 'ten' })).toEqual(['value must be numeric for gte']);
    expect(conditionProblems({})).toEqual(['key must be a non-empty string', `operator must be one of ${CONDITION_OPERATORS.join(', ')}`]);
  });
});

describe('renderFilterLabel (RULE-9, EXP-2)', () => {
  it('renders the docs example', () => {
    expect(renderFilterLabel([{ key: 'path', operator: 'contains', value: '/pricing' }])).toBe('path contains /pricing');
  });

  it('joins several conditions with " and "', () => {
    expect(
      renderFilterLabel([
        { key: 'path', operator: 'starts_with', value: '/docs' },
        { key: 'utm.source', operator: 'not_equals', value: 'google' },
        { key: 'seconds', operator: 'gte', value: 30 },
      ]),
    ).toBe('path starts with /docs and utm.source does not equal google and seconds is at least 30');
  });

  it.each<[ConditionOperator, string]>([
    ['equals', 'k equals v'],
    ['not_equals', 'k does not equal v'],
    ['contains', 'k contains v'],
    ['not_contains', 'k does not contain v'],
    ['starts_with', 'k starts with v'],
    ['ends_with', 'k ends with v'],
    ['exists', 'k exists'],
    ['not_exists', 'k does not exist'],
    ['gt', 'k is greater than v'],
    ['gte', 'k is at least v'],
    ['lt', 'k is less than v'],
    ['lte', 'k is at most v'],
  ])('%s → %j', (operator, label) => {
    expect(renderFilterLabel([{ key: 'k', operator, value: 'v' }])).toBe(label);
  });

  it('is omitted for an unfiltered rule', () => {
    expect(renderFilterLabel([])).toBeUndefined();
  });
});
