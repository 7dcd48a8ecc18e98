import type { OpenAPIObject } from '@nestjs/swagger';
import request from 'supertest';
import { basic, firstRunTenant, Tenant } from './support/tenants';
import { startTestApp, TestApp } from './support/test-app';

type Schema = Record<string, any>;
type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

interface Case {
  op: string;
  what: string;
  method: Method;
  url: string;
  auth?: { header: string; value: string };
  body?: unknown;
  rawJson?: string;
  /** the document forbids this input: the answer must be a 4xx, not a 2xx */
  forbidden: boolean;
}

/**
 * Operations or mutations left out, with the reason. Nothing else is skipped: every operation of the document
 * gets the path, query and JSON-body mutations below.
 */
const SKIPPED: Record<string, string> = {};
const STREAM = 'text/event-stream operation: input the document allows opens an endless stream, so only forbidden input is sent';
const NOT_JSON_BODY = 'multipart/form-data upload: its body is a file, covered by the lead-import and import e2e tests; path and query are fuzzed';

const OPS_USER = 'admin';
const OPS_PASSWORD = 'ops-admin-password-123';
const METHODS: Method[] = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * Walks the OpenAPI document and sends every operation input it forbids (wrong types, missing required fields,
 * null for non-nullable fields, over-long strings, too many items, numbers beyond the documented range) and
 * input it does not mention (NUL characters, 1e309, nested query keys, repeated values), with an admin credential
 * and an active OU. Fails on any 5xx, and on a 2xx for forbidden input.
 */
describe('OpenAPI-driven fuzz of every operation', () => {
  let t: TestApp;
  let a: Tenant;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp({ roles: ['api'], env: { QUEUE_DASHBOARD_PASSWORD: OPS_PASSWORD } });
    a = await firstRunTenant(t);
    await request(t.http).post('/org-units/active').set(a.admin.header, a.admin.value).send({ ouId: a.unitId }).expect(200);
    await request(t.http).post('/lead').set(a.admin.header, a.admin.value).send({ id: 'ld_fuzz' }).expect(201);
    doc = (await request(t.http).get('/docs-json').expect(200)).body;
  }, 60_000);
  afterAll(() => t.close());

  it('answers no 5xx, and no 2xx for input the document forbids', async () => {
    const cases = buildCases(doc, a);
    const started = Date.now();
    const failures: string[] = [];
    let sent = 0;
    await pool(cases, 6, async (c) => {
      sent++;
      let r = request(t.http)[c.method](c.url).timeout(10_000);
      if (c.auth) r = r.set(c.auth.header, c.auth.value);
      if (c.rawJson !== undefined) r = r.set('Content-Type', 'application/json').send(c.rawJson);
      else if (c.body !== undefined) r = r.send(c.body as object);
      // Node refuses a request line over its header limit (16 KB) with 431 and closes the socket, which the client
      // may see as a reset while it is still writing: for such URLs a reset is that refusal, not a crash.
      const tooLongForNode = c.url.length > 16 * 1024;
      const res = await r.catch((err: Error & { code?: string }) =>
        tooLongForNode && (err.code === 'ECONNRESET' || err.code === 'EPIPE') ? { status: 431, body: {} } : { status: 599, body: { error: err.message } },
      );
      if (res.status >= 500 || (c.forbidden && res.status < 300)) {
        failures.push(`${c.op} [${c.what}] ${c.url} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`openapi fuzz: ${sent} requests in ${seconds.toFixed(1)} s; skipped: ${JSON.stringify(SKIPPED)}\n`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1500);
  }, 180_000);
});

function buildCases(doc: OpenAPIObject, a: Tenant): Case[] {
  const cases: Case[] = [];
  const resolve = (s: Schema | undefined): Schema => {
    if (!s) return {};
    if (s.$ref) return resolve((doc.components!.schemas as Schema)[s.$ref.split('/').pop()]);
    if (s.allOf)
      return s.allOf.map(resolve).reduce(
        (x: Schema, y: Schema) => ({
          ...x,
          ...y,
          properties: { ...x.properties, ...y.properties },
          required: [...(x.required ?? []), ...(y.required ?? [])],
        }),
        {},
      );
    return s;
  };
  const sample = (raw: Schema, depth = 0): unknown => {
    const s = resolve(raw);
    if (s.enum) return s.enum[0];
    if (s.oneOf || s.anyOf) return sample((s.oneOf ?? s.anyOf)[0], depth);
    switch (s.type) {
      case 'integer':
      case 'number':
        return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 1, 1));
      case 'boolean':
        return true;
      case 'array':
        return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}, depth + 1));
      case 'object':
        if (!s.properties || depth > 4) return {};
        return Object.fromEntries((s.required ?? []).map((k: string) => [k, sample(s.properties[k], depth + 1)]));
      case 'string':
        if (s.format === 'date-time') return '2026-01-01T00:00:00Z';
        if (s.format === 'email') return 'fuzz@example.com';
        if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
        return 'fuzz'.padEnd(s.minLength ?? 0, 'z');
      default:
        return s.properties ? sample({ ...s, type: 'object' }, depth) : 'fuzz';
    }
  };
  const wrongType = (s: Schema): unknown =>
    s.type === 'string' ? 12345 : s.type === 'array' ? 'not-an-array' : s.type === 'object' ? 'not-an-object' : 'not-a-' + (s.type ?? 'value');

  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const name = `${method.toUpperCase()} ${path}`;
      if (SKIPPED[name]) continue;
      const security = (op.security ?? []).flatMap((s: Schema) => Object.keys(s));
      const auth = security.includes('opsAdminAuth') ? basic(OPS_USER, OPS_PASSWORD) : security.length ? a.admin : undefined;
      const params: Schema[] = op.parameters ?? [];
      const pathValue = (p: Schema) => (/lead/i.test(p.name) ? 'ld_fuzz' : (p.schema?.enum?.[0] ?? 'fuzz_id'));
      const fill = (over: Record<string, string> = {}) =>
        path.replace(/\{([^}]+)\}/g, (_m, n) => over[n] ?? encodeURIComponent(String(pathValue(params.find((p) => p.name === n) ?? { name: n }))));
      const requiredQuery = params.filter((p) => p.in === 'query' && p.required);
      const baseQuery = (except?: string) =>
        requiredQuery.filter((p) => p.name !== except).map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(sample(p.schema ?? {})))}`);
      const url = (over: Record<string, string> = {}, query: string[] = [], except?: string) => {
        const q = [...baseQuery(except), ...query];
        return fill(over) + (q.length ? `?${q.join('&')}` : '');
      };
      // an accepted request to an event stream never ends: only input the document forbids is sent there
      const streaming = Object.keys(op.responses?.['200']?.content ?? {}).includes('text/event-stream');
      const jsonSchema = op.requestBody?.content?.['application/json']?.schema;
      const bodySchema = jsonSchema ? resolve(jsonSchema) : undefined;
      const baseBody = bodySchema ? sample(bodySchema) : undefined;
      const add = (what: string, u: string, forbidden: boolean, body: unknown = baseBody, rawJson?: string) => {
        if (streaming && !forbidden) SKIPPED[`${name} [${what}]`] = STREAM;
        else cases.push({ op: name, what, method, url: u, auth, body, rawJson, forbidden });
      };
      if (op.requestBody && !jsonSchema) SKIPPED[`${name} body`] = NOT_JSON_BODY;

      for (const p of params.filter((x) => x.in === 'path')) {
        const s = p.schema ?? {};
        add(`path ${p.name} NUL`, url({ [p.name]: 'a%00b' }), true);
        add(`path ${p.name} encoded slash`, url({ [p.name]: 'a%2F..%2Fb' }), false);
        add(`path ${p.name} emoji`, url({ [p.name]: '%F0%9F%98%80%C3%A9' }), false);
        add(`path ${p.name} over-long`, url({ [p.name]: 'x'.repeat((s.maxLength ?? 4096) + 1) }), true);
      }
      for (const p of params.filter((x) => x.in === 'query')) {
        const s = resolve(p.schema);
        const q = (v: string) => url({}, [`${encodeURIComponent(p.name)}=${v}`], p.name);
        add(`query ${p.name} NUL`, q('a%00b'), true);
        add(`query ${p.name} empty`, q(''), false);
        add(`query ${p.name} NUL in the key`, url({}, [`${encodeURIComponent(p.name)}%00=1`]), false);
        if (s.type === 'integer' || s.type === 'number') {
          add(`query ${p.name} wrong type`, q('abc'), true);
          add(`query ${p.name} fraction`, q('1.5'), s.type === 'integer');
          add(`query ${p.name} below minimum`, q(String((s.minimum ?? 0) - 1)), s.minimum !== undefined);
          add(`query ${p.name} 1e26`, q('1e26'), s.maximum !== undefined && s.maximum < 1e26);
          add(`query ${p.name} 1e309`, q('1e309'), true);
          add(`query ${p.name} -1e26`, q('-1e26'), s.minimum !== undefined);
        } else if (s.type === 'boolean') {
          add(`query ${p.name} wrong type`, q('maybe'), true);
        } else if (s.type === 'string' && !s.enum) {
          add(`query ${p.name} over-long`, q('x'.repeat((s.maxLength ?? 4096) + 1)), s.maxLength !== undefined);
        } else if (s.enum) {
          add(`query ${p.name} not in enum`, q('not_a_member'), true);
        }
        add(`query ${p.name} nested key`, url({}, [`${encodeURIComponent(p.name)}%5Bx%5D=1`]), false);
        if (s.type !== 'array')
          add(
            `query ${p.name} repeated`,
            q(`${encodeURIComponent(String(sample(s)))}&${encodeURIComponent(p.name)}=${encodeURIComponent(String(sample(s)))}`),
            false,
          );
      }
      if (requiredQuery.length) for (const p of requiredQuery) add(`query ${p.name} missing`, url({}, [], p.name), true);

      if (!bodySchema) continue;
      add('body not an object', url(), bodySchema.type === 'object' || !!bodySchema.properties, undefined, '"just a string"');
      add('body 1e309', url(), false, undefined, '{"x": 1e309}');
      add('body empty object', url(), (bodySchema.required ?? []).length > 0, {});
      add('body unknown field', url(), false, { ...(baseBody as object), fuzz_unknown_field: 'x' });
      const props: Record<string, Schema> = bodySchema.properties ?? {};
      const base = (baseBody ?? {}) as Record<string, unknown>;
      for (const k of bodySchema.required ?? []) {
        const { [k]: _dropped, ...rest } = base;
        add(`body ${k} missing`, url(), true, rest);
      }
      for (const [k, raw] of Object.entries(props)) {
        const s = resolve(raw);
        add(`body ${k} wrong type`, url(), !!s.type || !!s.properties, { ...base, [k]: wrongType(s.type ? s : { type: 'object' }) });
        if (!s.nullable && !raw.nullable) add(`body ${k} null`, url(), true, { ...base, [k]: null });
        if (s.type === 'string') {
          add(`body ${k} empty`, url(), (s.minLength ?? 0) > 0, { ...base, [k]: '' });
          add(`body ${k} NUL`, url(), true, { ...base, [k]: 'a\u0000b' });
          if (s.maxLength !== undefined && s.maxLength < 100_000) add(`body ${k} over-long`, url(), true, { ...base, [k]: 'x'.repeat(s.maxLength + 1) });
        }
        if (s.type === 'integer' || s.type === 'number') {
          add(`body ${k} 1e26`, url(), s.maximum !== undefined && s.maximum < 1e26, { ...base, [k]: 1e26 });
          add(`body ${k} -1e26`, url(), s.minimum !== undefined && s.minimum > -1e26, { ...base, [k]: -1e26 });
          add(`body ${k} fraction`, url(), s.type === 'integer', { ...base, [k]: 1.5 });
        }
        if (s.type === 'array' && s.maxItems !== undefined) {
          add(`body ${k} too many items`, url(), true, { ...base, [k]: Array.from({ length: s.maxItems + 1 }, () => sample(s.items ?? {})) });
        }
        if (s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean')
          add(`body ${k} an object`, url(), true, { ...base, [k]: { nested: 'x' } });
        const itemSchema = s.type === 'array' ? resolve(s.items) : undefined;
        if (itemSchema && ['string', 'integer', 'number'].includes(itemSchema.type)) {
          add(`body ${k}[0] wrong type`, url(), true, { ...base, [k]: [wrongType(itemSchema)] });
          add(`body ${k}[0] null`, url(), true, { ...base, [k]: [null] });
          if (itemSchema.type === 'string') add(`body ${k}[0] NUL`, url(), true, { ...base, [k]: ['a\u0000b'] });
        }
        if (itemSchema?.properties) {
          const item = (sample(itemSchema) ?? {}) as Record<string, unknown>;
          for (const [ik, iraw] of Object.entries<Schema>(itemSchema.properties)) {
            const is = resolve(iraw);
            if (is.type === 'string') add(`body ${k}[0].${ik} NUL`, url(), true, { ...base, [k]: [{ ...item, [ik]: 'a\u0000b' }] });
            if (is.type) add(`body ${k}[0].${ik} wrong type`, url(), true, { ...base, [k]: [{ ...item, [ik]: wrongType(is) }] });
            if (!is.nullable) add(`body ${k}[0].${ik} null`, url(), true, { ...base, [k]: [{ ...item, [ik]: null }] });
          }
        }
        if (s.type === 'object' && s.properties) {
          const inner = (sample(s) ?? {}) as Record<string, unknown>;
          for (const [ik, iraw] of Object.entries<Schema>(s.properties)) {
            const is = resolve(iraw);
            if (is.type === 'string') add(`body ${k}.${ik} NUL`, url(), true, { ...base, [k]: { ...inner, [ik]: 'a\u0000b' } });
            if (!is.nullable) add(`body ${k}.${ik} null`, url(), true, { ...base, [k]: { ...inner, [ik]: null } });
          }
        }
      }
    }
  }
  return cases;
}

async function pool<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}
