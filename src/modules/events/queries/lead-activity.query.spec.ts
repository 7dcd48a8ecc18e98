import { activityWindow } from './lead-activity.query';

describe('activityWindow', () => {
  const now = new Date('2026-03-10T12:00:00.000Z');

  it('defaults to the last 7 days, open at the end', () => {
    expect(activityWindow({}, now)).toEqual({ start: new Date('2026-03-03T12:00:00.000Z'), end: null });
  });

  it('takes both bounds of a custom range', () => {
    expect(activityWindow({ range: 'custom', start: '2026-03-01T00:00:00Z', end: '2026-03-02T00:00:00Z' }, now)).toEqual({
      start: new Date('2026-03-01T00:00:00Z'),
      end: new Date('2026-03-02T00:00:00Z'),
    });
  });

  it('names the missing bound, and refuses an end not after the start (400 validation_failed)', () => {
    expect(() => activityWindow({ range: 'custom', start: '2026-03-01T00:00:00Z' }, now)).toThrow(
      expect.objectContaining({ code: 'validation_failed', details: [{ field: 'end', reason: 'is required with range=custom' }] }),
    );
    expect(() => activityWindow({ range: 'custom', start: '2026-03-01T00:00:00Z', end: '2026-03-01T00:00:00Z' }, now)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });
});
