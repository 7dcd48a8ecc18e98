import { types } from 'pg';
import { parseTimestamptz } from './timestamptz';

const pgParser = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date | number | null;
const same = (s: string) => {
  const ours = parseTimestamptz(s);
  const theirs = pgParser(s);
  return [ours instanceof Date ? ours.getTime() : ours, theirs instanceof Date ? theirs.getTime() : theirs];
};

describe('parseTimestamptz (DateStyle ISO text)', () => {
  it.each([
    '2026-12-06 02:10:00+00',
    '2026-12-06 02:10:00.1+00',
    '2026-12-06 02:10:00.12+00',
    '2026-12-06 02:10:00.123+00',
    '2026-12-06 02:10:00.123456+00',
    '2026-12-06 02:10:00.999999+00',
    '2026-12-06 23:59:59.5+05:30',
    '2026-01-01 00:00:00.000001-08',
    '2026-03-29 01:30:00-09:30',
    '2024-02-29 12:00:00+14',
    '1970-01-01 00:00:00+00',
    '1969-12-31 23:59:59.999+00',
    // handed to pg's parser: BC, infinity, years below 100 and above 9999, offsets with seconds
    '0044-03-15 12:00:00+00 BC',
    '0099-01-01 00:00:00+00',
    '12026-01-01 00:00:00+00',
    '1900-01-01 00:00:00+00:19:32',
    'infinity',
    '-infinity',
  ])('%s reads as pg reads it', (s) => {
    const [ours, theirs] = same(s);
    expect(ours).toBe(theirs);
  });

  it('matches pg on every millisecond and microsecond fraction of a second', () => {
    for (let f = 0; f < 1_000_000; f += 997) {
      const s = `2026-06-15 10:20:30.${String(f).padStart(6, '0')}+02`;
      const [ours, theirs] = same(s);
      expect(ours).toBe(theirs);
    }
  });
});
