import { HALF_LIFE_MAX_DAYS, HALF_LIFE_MIN_DAYS, MS_PER_DAY, decayFactor, isValidHalfLifeDays } from './half-life';

const now = new Date('2025-06-30T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * MS_PER_DAY);

describe('decayFactor (SC-4)', () => {
  it('holds the docs worked example: weight 10, half-life 14', () => {
    expect(10 * decayFactor(daysAgo(0), now, 14)).toBe(10);
    expect(10 * decayFactor(daysAgo(14), now, 14)).toBe(5);
    expect(10 * decayFactor(daysAgo(28), now, 14)).toBe(2.5);
    expect(10 * decayFactor(daysAgo(30), now, 14)).toBeCloseTo(2.2643091606597667, 12); // "≈2.5 after a month"
    expect(10 * decayFactor(daysAgo(56), now, 14)).toBe(0.625);
    // The docs' "≈0.6 after three months" fits 8 weeks (above); 90 days at half-life 14 is ≈0.12.
    expect(10 * decayFactor(daysAgo(90), now, 14)).toBeCloseTo(0.11609330383882407, 12);
  });

  it('uses fractional days', () => {
    expect(decayFactor(daysAgo(7), now, 14)).toBeCloseTo(Math.SQRT1_2, 15);
    expect(decayFactor(daysAgo(1 / 24), now, 14)).toBeCloseTo(0.9979391883568344, 15);
    expect(decayFactor(daysAgo(1.5), now, 1)).toBeCloseTo(0.3535533905932738, 15);
  });

  it('halves exactly at each whole half-life for the range limits', () => {
    expect(decayFactor(daysAgo(1), now, 1)).toBe(0.5);
    expect(decayFactor(daysAgo(730), now, 730)).toBe(0.5);
    expect(decayFactor(daysAgo(1460), now, 730)).toBe(0.25);
  });

  it('is 1 without a half-life, at any age', () => {
    expect(decayFactor(daysAgo(0), now, null)).toBe(1);
    expect(decayFactor(daysAgo(10_000), now, null)).toBe(1);
  });

  it('is 1 for events stamped in the future', () => {
    expect(decayFactor(new Date(now.getTime() + 1), now, 14)).toBe(1);
    expect(decayFactor(daysAgo(-30), now, 14)).toBe(1);
  });

  it.each([0, 731, -14, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects half-life %p', (halfLife) => {
    expect(() => decayFactor(daysAgo(1), now, halfLife)).toThrow(RangeError);
  });

  it('rejects invalid dates', () => {
    expect(() => decayFactor(new Date('nope'), now, 14)).toThrow(RangeError);
  });
});

describe('isValidHalfLifeDays (RULE-1)', () => {
  it('accepts integers from 1 to 730', () => {
    expect([HALF_LIFE_MIN_DAYS, HALF_LIFE_MAX_DAYS]).toEqual([1, 730]);
    expect(isValidHalfLifeDays(1)).toBe(true);
    expect(isValidHalfLifeDays(14)).toBe(true);
    expect(isValidHalfLifeDays(730)).toBe(true);
  });

  it.each([0, 731, 14.5, -1, '14', null, undefined, Number.NaN])('rejects %p', (value) => {
    expect(isValidHalfLifeDays(value)).toBe(false);
  });
});
