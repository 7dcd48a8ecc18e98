/** RULE-1 / SC-4: `half_life_days` is an integer in [1, 730] or null (no decay). */
export const HALF_LIFE_MIN_DAYS = 1;
export const HALF_LIFE_MAX_DAYS = 730;
export const MS_PER_DAY = 86_400_000;

export function isValidHalfLifeDays(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= HALF_LIFE_MIN_DAYS && (value as number) <= HALF_LIFE_MAX_DAYS;
}

/**
 * SC-4: 0.5^(ageDays / halfLife), age in fractional days (suggested default) so a score moves smoothly
 * between hourly recomputes instead of stepping once a day. Events stamped in the future (clock skew,
 * scheduled imports) are worth their full weight rather than more than it. Out-of-range half-lives throw:
 * they can only come from data that bypassed validation, and a silently wrong score is worse than an error.
 */
export function decayFactor(eventTime: Date, now: Date, halfLifeDays: number | null): number {
  if (halfLifeDays === null) return 1;
  if (!isValidHalfLifeDays(halfLifeDays)) {
    const range = `[${HALF_LIFE_MIN_DAYS}, ${HALF_LIFE_MAX_DAYS}]`;
    throw new RangeError(`half_life_days must be an integer in ${range}, got ${halfLifeDays}`);
  }
  const ageMs = now.getTime() - eventTime.getTime();
  if (Number.isNaN(ageMs)) throw new RangeError('decayFactor needs valid dates');
  if (ageMs <= 0) return 1;
  return 0.5 ** (ageMs / MS_PER_DAY / halfLifeDays);
}
