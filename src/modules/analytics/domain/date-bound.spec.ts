import { dateWindow, parseDateBound } from './date-bound';

describe('parseDateBound', () => {
  it('takes a day as its midnight (start) or the next midnight (end)', () => {
    expect(parseDateBound('2026-06-01', 'start')).toEqual({ at: new Date('2026-06-01T00:00:00Z') });
    expect(parseDateBound('2026-06-01', 'end')).toEqual({ at: new Date('2026-06-02T00:00:00Z') });
  });
  it('takes an RFC 3339 instant as is, offsets included', () => {
    expect(parseDateBound('2026-06-01T10:30:00+02:00', 'end')).toEqual({ at: new Date('2026-06-01T08:30:00Z') });
    expect(parseDateBound('2026-06-01T10:30:00.5Z', 'start')).toEqual({ at: new Date('2026-06-01T10:30:00.500Z') });
  });
  it('refuses other text and impossible days', () => {
    expect(parseDateBound('yesterday', 'start')).toEqual({ reason: 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time' });
    expect(parseDateBound('2026-06-01T10:30:00', 'start')).toHaveProperty('reason');
    expect(parseDateBound('2026-02-30', 'start')).toEqual({ reason: 'is not a calendar date' });
    expect(parseDateBound('2026-13-01T00:00:00Z', 'start')).toEqual({ reason: 'is not a calendar date' });
  });
});

describe('dateWindow', () => {
  it('is open on a side not given', () => {
    expect(dateWindow(undefined, undefined)).toEqual({ window: { start: null, end: null }, problems: [] });
    expect(dateWindow('2026-06-01', undefined).window).toEqual({ start: new Date('2026-06-01T00:00:00Z'), end: null });
  });
  it('names each bad field, and an end before the start', () => {
    expect(dateWindow('nope', '2026-02-31').problems.map((p) => p.field)).toEqual(['start_date', 'end_date']);
    expect(dateWindow('2026-06-02', '2026-06-01T00:00:00Z').problems).toEqual([{ field: 'end_date', reason: 'must not be before start_date' }]);
    expect(dateWindow('2026-06-01', '2026-06-01').problems).toEqual([]);
  });
});
