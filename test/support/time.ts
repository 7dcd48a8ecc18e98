/** The fixed "now" of the e2e files that set the test clock, and durations in milliseconds. */
export const NOW = new Date('2026-06-15T12:00:00Z');
export const MIN = 60_000;
export const H = 3_600_000;
export const D = 24 * H;

/** ISO time `ms` before NOW. */
export const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
