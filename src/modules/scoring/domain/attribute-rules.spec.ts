import {
  AttributeRule,
  AttributeRuleset,
  attributeRuleMatches,
  attributeRuleProblems,
  dryRunAttributeRule,
  groupHolds,
  isBelowFloor,
  scoreAttributeRulesets,
} from './attribute-rules';

const rule = (over: Partial<AttributeRule>): AttributeRule => ({
  id: 'r',
  ruleset_id: 'rs',
  property: 'industry',
  condition: 'equals',
  comparison_value: 'SaaS',
  weight: 10,
  rule_type: 'add_points',
  conditions: null,
  ui_order: null,
  ...over,
});
const ruleset = (rules: AttributeRule[], over: Partial<AttributeRuleset> = {}): AttributeRuleset => ({
  id: 'rs',
  name: 'Fit',
  enabled: true,
  is_primary: true,
  score_floor_pct: null,
  rules,
  ...over,
});
const matches = (over: Partial<AttributeRule>, attributes: Record<string, unknown>) => attributeRuleMatches(rule(over), attributes);

describe('attribute rules: PRF-7 operators', () => {
  it.each([
    ['equals', 'SaaS', { industry: 'saas' }, true],
    ['equals', 'SaaS', { industry: 'SaaS Tools' }, false],
    ['not_equals', 'SaaS', { industry: 'Retail' }, true],
    ['not_equals', 'SaaS', {}, true],
    ['contains', 'vp', { industry: 'SVP Sales' }, true],
    ['not_contains', 'vp', { industry: 'CTO' }, true],
    ['starts_with', 'fin', { industry: 'Fintech' }, true],
    ['ends_with', 'TECH', { industry: 'Fintech' }, true],
    ['in', 'SaaS, Fintech ,Health', { industry: 'fintech' }, true],
    ['in', 'SaaS,Fintech', { industry: 'Retail' }, false],
    ['in', 'SaaS,Fintech', {}, false],
    ['not_in', 'SaaS,Fintech', { industry: 'Retail' }, true],
    ['not_in', 'SaaS,Fintech', {}, true],
    ['not_in', 'SaaS,Fintech', { industry: ' SAAS ' }, false],
    ['is_empty', '', {}, true],
    ['is_empty', '', { industry: null }, true],
    ['is_empty', '', { industry: '  ' }, true],
    ['is_empty', '', { industry: [] }, true],
    ['is_empty', '', { industry: 0 }, false],
    ['is_not_empty', '', { industry: 'x' }, true],
    ['is_not_empty', '', {}, false],
  ] as const)('%s %j on %j → %s', (condition, value, attributes, expected) => {
    expect(matches({ condition, comparison_value: value }, attributes)).toBe(expected);
  });

  it.each([
    ['gt', '100', '250', true],
    ['gt', '100', '100', false],
    ['gte', '100', 100, true],
    ['lt', '1e3', '999.5', true],
    ['lte', '-5', -5, true],
    ['gt', '100', 'lots', false],
    ['gt', '100', '', false],
    ['gt', '100', '0x200', false],
  ] as const)('numeric %s %s on %j → %s (both sides coerced; a non-number never matches)', (condition, value, actual, expected) => {
    expect(matches({ property: 'employees', condition, comparison_value: value }, { employees: actual })).toBe(expected);
  });

  it('reads dotted paths into nested attributes', () => {
    expect(matches({ property: 'company.size', condition: 'gte', comparison_value: '50' }, { company: { size: 80 } })).toBe(true);
  });
});

describe('attribute rules: compound groups (PRF-13)', () => {
  const noEmail = { property: 'email', condition: 'is_empty' as const, comparison_value: '' };
  const noPhone = { property: 'phone', condition: 'is_empty' as const, comparison_value: '' };

  it('AND needs every item, OR any, nested up to 3 deep', () => {
    expect(groupHolds({ op: 'AND', items: [noEmail, noPhone] }, { phone: '1' })).toBe(false);
    expect(groupHolds({ op: 'OR', items: [noEmail, noPhone] }, { phone: '1' })).toBe(true);
    const nested = { op: 'OR' as const, items: [{ op: 'AND' as const, items: [noEmail, { op: 'OR' as const, items: [noPhone] }] }] };
    expect(groupHolds(nested, {})).toBe(true);
    expect(groupHolds(nested, { email: 'a@b.c' })).toBe(false);
  });

  it('a hard-DQ rule matches when its own condition and its group both hold', () => {
    const r = rule({
      property: 'email',
      condition: 'is_empty',
      comparison_value: '',
      rule_type: 'hard_disqualify',
      conditions: { op: 'AND', items: [noPhone] },
    });
    expect(attributeRuleMatches(r, {})).toBe(true);
    expect(attributeRuleMatches(r, { phone: '+1' })).toBe(false);
    expect(attributeRuleMatches(r, { email: 'x@y.z' })).toBe(false);
  });

  it.each([
    [{ condition: 'equals', comparison_value: 'x', conditions: { op: 'AND', items: [noEmail] } }, 'conditions'],
    [{ condition: 'gt', comparison_value: 'ten' }, 'comparison_value'],
    [{ condition: 'between', comparison_value: '1' }, 'condition'],
    [{ condition: 'in', comparison_value: ' , ' }, 'comparison_value'],
    [{ condition: 'equals', comparison_value: 'x', rule_type: 'hard_disqualify', conditions: { op: 'XOR', items: [noEmail] } }, 'conditions.op'],
    [{ condition: 'equals', comparison_value: 'x', rule_type: 'hard_disqualify', conditions: { op: 'AND', items: [] } }, 'conditions.items'],
    [
      {
        condition: 'equals',
        comparison_value: 'x',
        rule_type: 'hard_disqualify',
        conditions: { op: 'AND', items: [{ op: 'AND', items: [{ op: 'AND', items: [{ op: 'AND', items: [noEmail] }] }] }] },
      },
      'conditions.items[0].items[0].items[0]',
    ],
    [
      {
        condition: 'equals',
        comparison_value: 'x',
        rule_type: 'hard_disqualify',
        conditions: { op: 'OR', items: [{ property: '', condition: 'equals', comparison_value: 'a' }] },
      },
      'conditions.items[0].property',
    ],
  ])('refuses %j naming %s', (r, field) => {
    expect(attributeRuleProblems(r).map((p) => p.field)).toContain(field);
  });

  it('accepts a group 3 deep and valueless items without comparison_value', () => {
    const group = { op: 'AND', items: [{ op: 'OR', items: [{ op: 'AND', items: [{ property: 'email', condition: 'is_empty' }] }] }] };
    expect(attributeRuleProblems({ condition: 'equals', comparison_value: 'x', rule_type: 'hard_disqualify', conditions: group })).toEqual([]);
  });
});

describe('scoring attributes (PRF-8, PRF-9)', () => {
  const fit = ruleset([
    rule({ id: 'a', weight: 20 }),
    rule({ id: 'b', property: 'employees', condition: 'gte', comparison_value: '100', weight: 15 }),
    rule({ id: 'dq', property: 'company', condition: 'equals', comparison_value: 'Rival', rule_type: 'hard_disqualify', weight: 999 }),
  ]);

  it('sums the matching add_points weights of the primary; hard-DQ rules add no points', () => {
    const r = scoreAttributeRulesets('profile', [fit], { industry: 'saas', employees: '150', company: 'Rival' });
    expect(r.score).toBe(35);
    expect(r.matched.map((m) => m.rule_id)).toEqual(['a', 'b']);
    expect(r.disqualified_by).toEqual({
      rule_id: 'dq',
      ruleset_id: 'rs',
      dimension: 'profile',
      rule_name: 'company equals Rival',
      reason: 'Disqualified by profile rule "company equals Rival" of ruleset "Fit" (company = Rival)',
    });
  });

  it('scores only the primary, disqualifies from any enabled ruleset, ignores disabled ones', () => {
    const other = ruleset(
      [rule({ id: 'x', weight: 100 }), rule({ id: 'dq2', property: 'email', condition: 'is_empty', comparison_value: '', rule_type: 'hard_disqualify' })],
      {
        id: 'rs2',
        is_primary: false,
      },
    );
    expect(scoreAttributeRulesets('profile', [fit, other], { industry: 'saas', email: 'a@b.c' })).toMatchObject({ score: 20, disqualified_by: null });
    expect(scoreAttributeRulesets('profile', [fit, other], { industry: 'saas' }).disqualified_by?.rule_id).toBe('dq2');
    expect(scoreAttributeRulesets('profile', [{ ...fit, enabled: false }, other], { industry: 'saas', company: 'rival' })).toMatchObject({ score: 0 });
  });

  it('flags below_floor against the maximum achievable score (PRF-5)', () => {
    expect(isBelowFloor(17, { ...fit, score_floor_pct: 0.5 })).toBe(true);
    expect(isBelowFloor(18, { ...fit, score_floor_pct: 0.5 })).toBe(false);
    expect(isBelowFloor(0, fit)).toBe(false);
  });

  it('dry-runs a rule as if saved in the primary (PRF-14), replacing a rule by id', () => {
    const candidate = {
      property: 'title',
      condition: 'contains' as const,
      comparison_value: 'vp',
      weight: 7,
      rule_type: 'add_points' as const,
      conditions: null,
    };
    expect(dryRunAttributeRule('profile', [fit], 'rs', candidate, { industry: 'saas', title: 'SVP' }, 20)).toEqual({
      matches: true,
      reason: 'title contains vp matches: title is "SVP"',
      current_score: 20,
      projected_score: 27,
      matching_value: 'SVP',
      would_disqualify: false,
    });
    const replacing = dryRunAttributeRule(
      'profile',
      [fit],
      'rs',
      { ...candidate, rule_id: 'a', property: 'industry', comparison_value: 'retail' },
      { industry: 'saas' },
      20,
    );
    expect(replacing).toMatchObject({ matches: false, projected_score: 0, matching_value: null });
    // no ruleset yet: the rule alone
    expect(
      dryRunAttributeRule('deal', [], null, { ...candidate, property: 'stage', condition: 'equals', comparison_value: 'won' }, { stage: 'Won' }, 0),
    ).toMatchObject({
      projected_score: 7,
    });
  });
});
