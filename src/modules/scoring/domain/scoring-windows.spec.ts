import { Rule, Ruleset } from './ruleset';
import { ruleCovers, rulesetCovers } from './scoring-windows';

const ruleset = (patch: Partial<Ruleset> = {}): Ruleset => ({ id: 'rs', active: true, rules: [], ...patch });
const rule = (patch: Partial<Rule> = {}): Rule => ({
  id: 'r',
  event_type: 'page_view',
  weight: 1,
  half_life_days: null,
  active: true,
  priority: 0,
  filters: [],
  ...patch,
});
const at = (iso: string) => new Date(iso);

describe('rulesetCovers (RS-3)', () => {
  const dated = ruleset({ start_date: '2025-03-01', end_date: '2025-03-31' });

  it('covers every instant while active and undated', () => {
    expect(rulesetCovers(ruleset(), at('1999-01-01T00:00:00Z'))).toBe(true);
  });

  it('covers nothing when inactive', () => {
    expect(rulesetCovers(ruleset({ active: false }), at('2025-03-15T12:00:00Z'))).toBe(false);
  });

  it('starts at 00:00:00.000 UTC of start_date', () => {
    expect(rulesetCovers(dated, at('2025-02-28T23:59:59.999Z'))).toBe(false);
    expect(rulesetCovers(dated, at('2025-03-01T00:00:00.000Z'))).toBe(true);
  });

  it('ends at 23:59:59.999 UTC of end_date, inclusive', () => {
    expect(rulesetCovers(dated, at('2025-03-31T23:59:59.000Z'))).toBe(true);
    expect(rulesetCovers(dated, at('2025-03-31T23:59:59.999Z'))).toBe(true);
    expect(rulesetCovers(dated, at('2025-04-01T00:00:00.000Z'))).toBe(false);
  });

  it('compares in UTC whatever the offset of the timestamp', () => {
    // 2025-04-01T01:00+02:00 is still 23:00 on March 31st in UTC.
    expect(rulesetCovers(dated, at('2025-04-01T01:00:00+02:00'))).toBe(true);
  });

  it('supports a single-day ruleset and open-ended sides', () => {
    const oneDay = ruleset({ start_date: '2025-03-05', end_date: '2025-03-05' });
    expect(rulesetCovers(oneDay, at('2025-03-05T00:00:00Z'))).toBe(true);
    expect(rulesetCovers(oneDay, at('2025-03-05T23:59:59.999Z'))).toBe(true);
    expect(rulesetCovers(oneDay, at('2025-03-06T00:00:00Z'))).toBe(false);
    expect(rulesetCovers(ruleset({ start_date: '2025-03-05' }), at('2030-01-01T00:00:00Z'))).toBe(true);
    expect(rulesetCovers(ruleset({ end_date: '2025-03-05', start_date: null }), at('2000-01-01T00:00:00Z'))).toBe(true);
  });

  it('accepts Date values and full timestamps as calendar days', () => {
    const asDates = ruleset({ start_date: at('2025-03-01T15:30:00Z'), end_date: '2025-03-31T08:00:00Z' });
    expect(rulesetCovers(asDates, at('2025-03-01T00:00:00Z'))).toBe(true);
    expect(rulesetCovers(asDates, at('2025-03-31T23:59:59.999Z'))).toBe(true);
    expect(rulesetCovers(asDates, at('2025-04-01T00:00:00Z'))).toBe(false);
  });

  it('rejects dates that do not exist or do not parse', () => {
    expect(() => rulesetCovers(ruleset({ start_date: '2025-02-30' }), at('2025-03-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => rulesetCovers(ruleset({ end_date: '31/03/2025' }), at('2025-03-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => rulesetCovers(ruleset({ start_date: new Date('x') }), at('2025-03-01T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('ruleCovers (RULE-3: start inclusive, end exclusive)', () => {
  const windowed = rule({ start_at: at('2025-03-01T09:00:00Z'), end_at: at('2025-03-01T17:00:00Z') });

  it('includes start_at itself', () => {
    expect(ruleCovers(windowed, at('2025-03-01T08:59:59.999Z'))).toBe(false);
    expect(ruleCovers(windowed, at('2025-03-01T09:00:00.000Z'))).toBe(true);
  });

  it('excludes end_at itself', () => {
    expect(ruleCovers(windowed, at('2025-03-01T16:59:59.999Z'))).toBe(true);
    expect(ruleCovers(windowed, at('2025-03-01T17:00:00.000Z'))).toBe(false);
  });

  it('is open on a missing side', () => {
    expect(ruleCovers(rule(), at('1970-01-01T00:00:00Z'))).toBe(true);
    expect(ruleCovers(rule({ start_at: at('2025-03-01T09:00:00Z') }), at('2099-01-01T00:00:00Z'))).toBe(true);
    expect(ruleCovers(rule({ end_at: at('2025-03-01T09:00:00Z'), start_at: null }), at('2000-01-01T00:00:00Z'))).toBe(true);
  });
});
