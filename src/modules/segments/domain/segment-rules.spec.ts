import { compileRule, compileSegment, ruleProblems, SegmentRuleForLogic } from './segment-rules';

const rule = (over: Partial<SegmentRuleForLogic>): SegmentRuleForLogic => ({
  rule_type: 'lead_metadata',
  field_name: 'f',
  operator: 'equals',
  value: 'v',
  event_type: null,
  logic_group: 0,
  logic_op: 'AND',
  order_index: 0,
  active: true,
  ...over,
});

/** The predicate with each rule replaced by its value, to read the logic alone. */
function shape(rules: SegmentRuleForLogic[]): string {
  const { text, values } = compileSegment(rules).compile();
  return text.replace(/lower\(\(l\.metadata->>\$(\d+)::text\)\) = lower\(\$(\d+)::text\)/g, (_, f, v) => `${values[Number(f) - 1]}=${values[Number(v) - 1]}`);
}

describe('segment rule logic (SEG-10)', () => {
  it('matches nobody without active rules', () => {
    expect(compileSegment([]).text).toBe('FALSE');
    expect(compileSegment([rule({ active: false })]).text).toBe('FALSE');
  });

  it('folds a group left to right with each rule’s own logic_op, the first one’s ignored', () => {
    const rules = [
      rule({ field_name: 'a', order_index: 0, logic_op: 'OR' }),
      rule({ field_name: 'b', order_index: 1, logic_op: 'OR' }),
      rule({ field_name: 'c', order_index: 2, logic_op: 'AND' }),
    ];
    expect(shape(rules)).toBe('(((a=v OR b=v) AND c=v))');
  });

  it('sorts by (logic_group, order_index), ANDs the groups and skips inactive rules', () => {
    const rules = [
      rule({ field_name: 'y', logic_group: 2, order_index: 1, logic_op: 'OR' }),
      rule({ field_name: 'x', logic_group: 2, order_index: 0 }),
      rule({ field_name: 'gone', logic_group: 1, order_index: 0, active: false }),
      rule({ field_name: 'b', logic_group: 1, order_index: 5 }),
      rule({ field_name: 'a', logic_group: 1, order_index: 2, logic_op: 'OR' }),
    ];
    expect(shape(rules)).toBe('((a=v AND b=v)) AND ((x=v OR y=v))');
  });

  it('binds every value, field name and event type as a parameter', () => {
    const evil = "x'); DROP TABLE leads; --";
    const q = compileRule({ rule_type: 'event_metadata', field_name: evil, operator: 'contains', value: evil, event_type: evil }).compile();
    expect(q.text).not.toContain('DROP');
    expect(q.values).toEqual([evil, evil, evil]);
    expect(q.text).toContain('EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_ref = l.id AND e.event_type = $1::text');
  });

  it('compiles numeric comparisons with a guarded cast and a numeric value', () => {
    const q = compileRule({ rule_type: 'lead_metadata', field_name: 'n', operator: 'gte', value: '2.5', event_type: null }).compile();
    expect(q.text).toMatch(/CASE WHEN .* ~ \$\d+::text THEN btrim\(.*\)::numeric END\) >= \$\d+::numeric/);
    expect(q.values).toContain(2.5);
  });

  it('reads levels and accounts from their columns', () => {
    expect(compileRule({ rule_type: 'engagement_level', field_name: 'level', operator: 'equals', value: 'Hot', event_type: null }).text).toContain(
      'l.engagement_level',
    );
    expect(compileRule({ rule_type: 'profile_level', field_name: 'level', operator: 'not_equals', value: 'A', event_type: null }).text).toContain(
      'l.profile_level',
    );
    expect(compileRule({ rule_type: 'account_level', field_name: 'level', operator: 'equals', value: 'Tier 1', event_type: null }).text).toContain(
      'a.account_level',
    );
    expect(compileRule({ rule_type: 'account_metadata', field_name: 'industry', operator: 'is_empty', value: null, event_type: null }).text).toContain(
      'a.metadata->>',
    );
  });
});

describe('segment rule validation', () => {
  it('accepts a complete rule and value-less operators without a value', () => {
    expect(ruleProblems({ rule_type: 'lead_metadata', field_name: 'plan', operator: 'equals', value: 'pro' })).toEqual([]);
    expect(ruleProblems({ rule_type: 'event_metadata', field_name: 'plan', operator: 'is_empty' })).toEqual([]);
  });

  it('names the field of each problem', () => {
    expect(ruleProblems({ rule_type: 'nope', field_name: 'x', operator: 'equals', value: 'v' })).toEqual([{ field: 'rule_type', reason: expect.any(String) }]);
    expect(ruleProblems({ rule_type: 'lead_metadata', field_name: ' ', operator: 'equals', value: 'v' })).toEqual([
      { field: 'field_name', reason: 'is required' },
    ]);
    expect(ruleProblems({ rule_type: 'lead_metadata', field_name: 'x', operator: 'like', value: 'v' })).toEqual([
      { field: 'operator', reason: expect.any(String) },
    ]);
    expect(ruleProblems({ rule_type: 'lead_metadata', field_name: 'x', operator: 'equals' })).toEqual([
      { field: 'value', reason: 'is required with operator equals' },
    ]);
    expect(ruleProblems({ rule_type: 'lead_metadata', field_name: 'x', operator: 'gt', value: 'ten' })).toEqual([
      { field: 'value', reason: 'must be a number with operator gt' },
    ]);
  });

  it('allows only equals / not_equals on level rules', () => {
    for (const t of ['engagement_level', 'profile_level', 'account_level']) {
      expect(ruleProblems({ rule_type: t, field_name: 'level', operator: 'contains', value: 'Hot' })).toEqual([
        { field: 'operator', reason: expect.stringContaining('equals') },
      ]);
      expect(ruleProblems({ rule_type: t, field_name: 'level', operator: 'not_equals', value: 'Hot' })).toEqual([]);
    }
  });
});
