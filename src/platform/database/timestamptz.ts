import { types } from 'pg';

const defaultParser = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date | number | null;

/** Digits of `s` from `at`, `length` of them, as a number (NaN when one is not a digit). */
function digits(s: string, at: number, length: number): number {
  let v = 0;
  for (let i = at; i < at + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * A `timestamptz` as PostgreSQL writes it with DateStyle ISO (`2026-12-06 02:10:00.123456+00`, `…+05:30`), read
 * without regular expressions: the event store and the read models return two or three per row, and pg's own parser
 * (three regular expressions per value) showed as a few percent of the worker's CPU on the ingest path. Sub-millisecond
 * digits are cut off, as pg's parser does. Anything else (BC, infinity, years before 100 or after 9999, an offset with
 * seconds) goes to pg's parser.
 */
export function parseTimestamptz(s: string): Date | number | null {
  const n = s.length;
  if (n < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return defaultParser(s);
  }
  const year = digits(s, 0, 4);
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let taken = 0;
    for (i++; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (taken < 3) {
        ms = ms * 10 + d;
        taken++;
      }
    }
    if (taken === 0) return defaultParser(s);
    for (; taken < 3; taken++) ms *= 10;
  }
  const sign = s.charCodeAt(i) === 43 ? 1 : s.charCodeAt(i) === 45 ? -1 : 0;
  let offset = digits(s, i + 1, 2) * 60;
  if (i + 3 === n) {
    // ±HH
  } else if (i + 6 === n && s.charCodeAt(i + 3) === 58) offset += digits(s, i + 4, 2);
  else return defaultParser(s);
  const time = Date.UTC(year, digits(s, 5, 2) - 1, digits(s, 8, 2), digits(s, 11, 2), digits(s, 14, 2), digits(s, 17, 2), ms) - sign * offset * 60_000;
  if (sign === 0 || year < 100 || Number.isNaN(time)) return defaultParser(s);
  return new Date(time);
}

/** pg's type parsers, with `parseTimestamptz` for timestamptz text values (the pool's `types` option). */
export const pgTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === types.builtins.TIMESTAMPTZ && format !== 'binary') return parseTimestamptz;
    return types.getTypeParser(oid, format as 'text');
  },
};
