import type { FastifyRequest } from 'fastify';
import { parseByteSize } from './http-adapter';
import { parseJsonBody } from './json-body';

function parse(text: string, contentType = 'application/json'): { err: (Error & { type?: string; status?: number }) | null; value?: unknown } {
  let out: { err: Error | null; value?: unknown } | undefined;
  parseJsonBody({ headers: { 'content-type': contentType } } as FastifyRequest, Buffer.from(text), (err, value) => (out = { err, value }));
  return out!;
}

describe('parseJsonBody (body-parser rules)', () => {
  it('parses objects and arrays, and reads an empty body as {}', () => {
    expect(parse('{"a":[1,2]}')).toEqual({ err: null, value: { a: [1, 2] } });
    expect(parse(' \n[1]')).toEqual({ err: null, value: [1] });
    expect(parse('')).toEqual({ err: null, value: {} });
  });

  it('refuses malformed JSON and top-level scalars as entity.parse.failed (400)', () => {
    for (const text of ['{"a":', '"x"', '1', 'null', '   ']) {
      expect([text, parse(text).err?.type, parse(text).err?.status]).toEqual([text, 'entity.parse.failed', 400]);
    }
  });

  it('refuses a charset other than UTF-8 (415) and accepts utf-8 spelled either way', () => {
    expect(parse('{}', 'application/json; charset=latin1').err).toMatchObject({ type: 'charset.unsupported', status: 415 });
    expect(parse('{}', 'application/json; charset=UTF-8').err).toBeNull();
    expect(parse('{}', 'application/json; charset="utf8"').err).toBeNull();
  });

  it('keeps a __proto__ key an ordinary key', () => {
    const { value } = parse('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value as object)).toEqual(['__proto__']);
  });
});

describe('parseByteSize', () => {
  it('reads HTTP_BODY_LIMIT sizes 1024-based, as body-parser did', () => {
    expect(parseByteSize('10mb')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('64KB')).toBe(64 * 1024);
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize('1.5kb')).toBe(1536);
    expect(() => parseByteSize('lots')).toThrow(/byte size/);
  });
});
