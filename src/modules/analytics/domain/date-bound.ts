/**
 * AN-1 date bounds: `YYYY-MM-DD` (a UTC calendar day) or an RFC 3339 instant. A day given as `start_date` starts
 * at its midnight; given as `end_date` it covers the whole day, so `start_date=end_date=2026-06-01` is that day.
 * Bounds are `[start, end)`.
 */
const DAY_MS = 86_400_000;
export const DAY_OR_INSTANT = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;
const DAY_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export type BoundResult = { at: Date } | { reason: string };

/** The instant a bound stands for, or why the text is not a date. */
export function parseDateBound(text: string, side: 'start' | 'end'): BoundResult {
  if (!DAY_OR_INSTANT.test(text)) return { reason: 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time' };
  const day = DAY_ONLY.exec(text);
  const [y, m, d] = (day ?? DAY_ONLY.exec(text.slice(0, 10)))!.slice(1).map(Number);
  const midnight = Date.UTC(y, m - 1, d);
  const check = new Date(midnight);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return { reason: 'is not a calendar date' };
  if (day) return { at: new Date(side === 'start' ? midnight : midnight + DAY_MS) };
  const at = new Date(text.replace(' ', 'T'));
  if (Number.isNaN(at.getTime())) return { reason: 'is not a valid date-time' };
  return { at };
}

export interface DateWindow {
  start: Date | null;
  end: Date | null;
}

export interface BoundProblem {
  field: string;
  reason: string;
}

/** Both bounds of a query; problems name the field. An end before the start is a problem of `end_date`. */
export function dateWindow(startText: string | undefined, endText: string | undefined): { window: DateWindow; problems: BoundProblem[] } {
  const problems: BoundProblem[] = [];
  const window: DateWindow = { start: null, end: null };
  if (startText !== undefined) {
    const r = parseDateBound(startText, 'start');
    if ('reason' in r) problems.push({ field: 'start_date', reason: r.reason });
    else window.start = r.at;
  }
  if (endText !== undefined) {
    const r = parseDateBound(endText, 'end');
    if ('reason' in r) problems.push({ field: 'end_date', reason: r.reason });
    else window.end = r.at;
  }
  if (window.start && window.end && window.end < window.start) problems.push({ field: 'end_date', reason: 'must not be before start_date' });
  return { window, problems };
}
