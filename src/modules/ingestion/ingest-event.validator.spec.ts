import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classValidatorProblems, ingestEventSchema, IngestEventValidator } from './ingest-event.validator';

const validator = new IngestEventValidator();
const alias = { alias_kind: 'email', raw_value: 'jane@example.com' };
const s = (n: number, c = 'a') => c.repeat(n);

const GOOD: unknown[] = [
  { event_type: 'Page View', lead_id: 'ld_1' },
  { event_type: 'x', aliases: [alias] },
  { event_type: 'x', aliases: Array(20).fill(alias) },
  { event_type: 'x', aliases: [] },
  { event_type: 'x', alias_kind: 'phone', alias: '+33 1 23' },
  { event_type: s(200), lead_id: s(200), event_id: s(128), alias: s(320), alias_kind: 'cookie', aliases: [{ alias_kind: 'social', raw_value: s(320) }] },
  { event_type: ' x ', timestamp: '2025-08-15T12:00:00Z' },
  { event_type: 'x', timestamp: '2025-08-15 12:00:00.123456789+02:00' },
  { event_type: 'x', timestamp: '2025-13-45t99:99:99z' }, // the pattern's business; Date.parse is the intake's
  { event_type: 'x', metadata: {} },
  { event_type: 'x', metadata: { path: '/pricing', nested: { a: [1, null, { b: 'c' }] } } },
  { event_type: 'x', lead_id: null, aliases: null, alias_kind: null, alias: null, timestamp: null, metadata: null, event_id: null },
  { event_type: 'x', lead_id: '   ' },
  { event_type: '\u00e9\u{1F600}' },
  { event_type: 'x', event_id: 'évt-1' },
];

const BAD: unknown[] = [
  {},
  { lead_id: 'ld_1' },
  { event_type: '' },
  { event_type: '   \t\n' },
  { event_type: null },
  { event_type: 5 },
  { event_type: ['x'] },
  { event_type: { a: 1 } },
  { event_type: true },
  { event_type: s(201) },
  { event_type: 'x', lead_id: '' },
  { event_type: 'x', lead_id: s(201) },
  { event_type: 'x', lead_id: 5 },
  { event_type: 'x', event_id: '' },
  { event_type: 'x', event_id: s(129) },
  { event_type: 'x', alias: '' },
  { event_type: 'x', alias: s(321) },
  { event_type: 'x', alias_kind: 'fax' },
  { event_type: 'x', alias_kind: 5, alias: '' },
  { event_type: 'x', alias_kind: 'EMAIL' },
  { event_type: 'x', timestamp: 'yesterday' },
  { event_type: 'x', timestamp: '2025-08-15T12:00:00' },
  { event_type: 'x', timestamp: '2025-08-15' },
  { event_type: 'x', timestamp: 1723723200 },
  { event_type: 'x', timestamp: s(5000) },
  { event_type: 'x', metadata: [] },
  { event_type: 'x', metadata: 'a' },
  { event_type: 'x', metadata: 5 },
  { event_type: 'x', aliases: {} },
  { event_type: 'x', aliases: 'a' },
  { event_type: 'x', aliases: [null] },
  { event_type: 'x', aliases: ['a'] },
  { event_type: 'x', aliases: Array(21).fill(alias) },
  { event_type: 'x', aliases: [{ alias_kind: 'email' }] },
  { event_type: 'x', aliases: [{ raw_value: 'a' }] },
  { event_type: 'x', aliases: [{ alias_kind: 'email', raw_value: '' }] },
  { event_type: 'x', aliases: [{ alias_kind: 'email', raw_value: s(321) }] },
  { event_type: 'x', aliases: [{ alias_kind: 'email', raw_value: 5 }] },
  { event_type: 'x', aliases: [{ alias_kind: 'fax', raw_value: 'a' }] },
  { event_type: 'x', aliases: [{ ...alias, extra: 1 }] },
  { event_type: 'x', aliases: [alias, { alias_kind: null, raw_value: null }] },
  { event_type: 'x', unknown: 1 },
  { event_type: 'x', leadId: 'ld_1' },
  { event_type: 5, lead_id: 5, unknown: 1, aliases: [{ alias_kind: 'x' }] },
];

/** Stricter than class-validator on purpose: class-transformer drops these keys, @ValidateNested walks arrays of arrays. */
const STRICTER: [event: unknown, field: string][] = [
  [{ event_type: 'x', constructor: 1 }, 'constructor'],
  [JSON.parse('{"event_type":"x","__proto__":{"a":1}}'), '__proto__'],
  [{ event_type: 'x', aliases: [[alias]] }, 'aliases[0]'],
];

describe('IngestEventValidator (compiled JSON Schema) answers as the class-validator IngestEventDto', () => {
  it.each(GOOD.map((e) => [JSON.stringify(e).slice(0, 120), e]))('accepts %s', (_name, event) => {
    expect(classValidatorProblems(event)).toBeUndefined();
    expect(validator.accepts(event)).toBe(true);
    expect(validator.problems(event)).toEqual([]);
  });

  it.each(BAD.map((e) => [JSON.stringify(e).slice(0, 120), e]))('rejects %s with the class-validator details', (_name, event) => {
    const expected = classValidatorProblems(event);
    expect(expected?.length).toBeGreaterThan(0);
    expect(validator.accepts(event)).toBe(false);
    expect(validator.problems(event)).toEqual(expected);
  });

  it('keeps the wording clients know', () => {
    expect(validator.problems({})).toEqual([
      { field: 'event_type', reason: 'must be shorter than or equal to 200 characters' },
      { field: 'event_type', reason: 'must not be blank' },
      { field: 'event_type', reason: 'must be a string' },
    ]);
    expect(validator.problems({ event_type: 'x', nope: 1 })).toEqual([{ field: 'nope', reason: 'property nope should not exist' }]);
    expect(validator.problems({ event_type: 'x', aliases: [{ alias_kind: 'email', raw_value: '' }] })).toEqual([
      { field: 'aliases[0].raw_value', reason: 'should not be empty' },
    ]);
  });

  it.each(STRICTER.map(([e, f]) => [f, e]))('rejects what class-validator lets through: %s', (field, event) => {
    expect(classValidatorProblems(event)).toBeUndefined();
    expect(validator.accepts(event)).toBe(false);
    expect(validator.problems(event).map((p) => p.field)).toContain(field);
  });

  it('agrees with class-validator on 3000 random events', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const strings = ['', ' ', 'x', 'Page View', s(128), s(129), s(200), s(201), s(320), s(321), '2025-08-15T12:00:00Z', '2025-08-15', 'email', 'fax'];
    const scalars = [null, 0, 5, true, false, [], {}, ['x'], { a: 1 }];
    const value = () => (rnd() < 0.7 ? pick(strings) : pick(scalars));
    const aliasValue = () =>
      rnd() < 0.6
        ? Object.fromEntries(
            [
              ['alias_kind', rnd() < 0.7 ? pick(['email', 'phone', 'external_id', 'cookie', 'social']) : value()],
              ['raw_value', value()],
              ['extra', 1],
            ].filter(() => rnd() < 0.8),
          )
        : value();
    const field: Record<string, () => unknown> = {
      event_type: value,
      lead_id: value,
      alias_kind: () => (rnd() < 0.5 ? pick(['email', 'social']) : value()),
      alias: value,
      timestamp: value,
      event_id: value,
      metadata: () => pick([{}, { a: 1 }, { a: [1, { b: null }] }, null, [], 'x', 5]),
      aliases: () => (rnd() < 0.8 ? Array.from({ length: pick([0, 1, 2, 3, 20, 21]) }, aliasValue) : value()),
      other: value,
    };
    let good = 0;
    for (let i = 0; i < 3000; i++) {
      const event = Object.fromEntries(
        Object.entries(field).flatMap(([k, f]) => (rnd() < (k === 'event_type' ? 0.9 : k === 'other' ? 0.05 : 0.3) ? [[k, f()]] : [])),
      );
      const expected = classValidatorProblems(event);
      expect({ event, accepted: validator.accepts(event) }).toEqual({ event, accepted: expected === undefined });
      expect({ event, problems: validator.problems(event) }).toEqual({ event, problems: expected ?? [] });
      if (!expected) good++;
    }
    expect(good).toBeGreaterThan(300); // both kinds well represented
    expect(good).toBeLessThan(2700);
  });
});

describe('the compiled schema and the OpenAPI document describe the same event', () => {
  type Json = Record<string, any>;
  const doc: Json = JSON.parse(readFileSync(join(__dirname, '../../../openapi.json'), 'utf8'));
  const component = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')];
  // the documented part of a schema: what a client validating against the document checks
  const documented = (schema: Json): Json => {
    const s: Json = schema.anyOf ? schema.anyOf[1] : schema; // optional: null or the schema
    const out: Json = {};
    for (const k of ['type', 'enum', 'maxLength', 'maxItems']) if (s[k] !== undefined) out[k] = s[k];
    if (out.enum) delete out.type; // the enum says it (the document adds type: string)
    if (s.items) out.items = documented(s.items.$ref ? component(s.items.$ref) : s.items);
    if (s.properties) {
      out.properties = Object.fromEntries(Object.entries<Json>(s.properties).map(([k, v]) => [k, documented(v)]));
      out.required = [...(s.required ?? [])].sort();
    }
    return out;
  };

  it('IngestEventDto: same properties, required ones, types, enums and limits', () => {
    expect(documented(ingestEventSchema())).toEqual(documented(doc.components.schemas.IngestEventDto));
  });

  it('the request body is one event or an array of them', () => {
    const body = doc.paths['/ingest'].post.requestBody.content['application/json'].schema;
    expect(body.oneOf.map((s: Json) => s.$ref ?? s.items.$ref)).toEqual(['#/components/schemas/IngestEventDto', '#/components/schemas/IngestEventDto']);
  });
});
