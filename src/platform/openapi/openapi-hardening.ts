import type { OpenAPIObject } from '@nestjs/swagger';
import { MAX_ARRAY_ITEMS, MAX_NUMBER, MAX_STRING_LENGTH } from '../http/input-limits';
import { BILLING_EXEMPT_EXTENSION } from '../tenancy/tenancy.decorators';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const WRITES = new Set(['put', 'post', 'delete', 'patch']);
const INT32 = 2 ** 31;
/** Operations under this prefix take the operations-admin credential (OpsAdminGuard), not an organization's. */
export const OPS_ADMIN_PREFIX = '/admin/';
/** Operations a provider calls with a signed payload (the billing webhook): their credential is the signature. */
export const WEBHOOK_SIGNATURE_SCHEME = 'webhookSignature';
const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

const int = (description: string): Json => ({ description, schema: { type: 'integer', format: 'int64', minimum: 0, maximum: MAX_NUMBER } });

/** Response headers shared by the operations (components.headers). */
const HEADERS: Json = {
  'X-RateLimit-Limit': int('Requests the caller may make in a burst (sent on authenticated requests while the organization’s rate limit is enabled)'),
  'X-RateLimit-Remaining': int('Requests left before the limit applies'),
  'X-RateLimit-Reset': int('Unix time (seconds) at which the caller’s allowance is full again'),
  'Retry-After': int('Seconds to wait before retrying'),
  'Access-Control-Allow-Origin': {
    description: 'The request’s Origin, when it is one of the configured CORS_ORIGINS (absent otherwise)',
    schema: { type: 'string', format: 'uri', maxLength: 2048 },
  },
};

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * The document states what the server enforces and sends, beyond what the route decorators say (issue 9, OWASP
 * API Security checks):
 * - input strings, arrays and integers without a limit of their own carry the global limits the validator
 *   enforces (MAX_STRING_LENGTH, MAX_ARRAY_ITEMS, ±MAX_NUMBER), integers an int32/int64 format;
 * - operations behind an organization credential document the rate-limit headers on 2xx/4xx and a 429 with
 *   Retry-After; every response headers object documents Access-Control-Allow-Origin;
 * - writes behind an organization credential document the billing gate's 402 (G-11), except those the gate lets
 *   through (@BillingExempt, @ViewerMayWrite: they mark the operation with BILLING_EXEMPT_EXTENSION);
 * - /admin/ operations use their own security scheme (the operations-admin Basic credential), except those that
 *   declare the bearer scheme (the active OU's sample data);
 * - the server entry is the serving host, marked public.
 */
export function hardenDocument(doc: OpenAPIObject): OpenAPIObject {
  const d = doc as Json;
  d.servers = [{ url: '/', description: 'The server that serves this document (local, staging or production)', 'x-internal': false }];
  d.components ??= {};
  d.components.securitySchemes = {
    ...d.components.securitySchemes,
    opsAdminAuth: {
      type: 'http',
      scheme: 'basic',
      description: 'Operations admin: QUEUE_DASHBOARD_USER as user name, QUEUE_DASHBOARD_PASSWORD as password (the /admin/ operations only)',
    },
    [WEBHOOK_SIGNATURE_SCHEME]: {
      type: 'apiKey',
      in: 'header',
      name: 'webhook-signature',
      description:
        'Standard Webhooks signed payload (receivers called by a provider, not by API clients): webhook-id, webhook-timestamp and webhook-signature ' +
        '(or svix-*) headers, an HMAC-SHA256 of "{id}.{timestamp}.{raw body}" with the shared whsec_ secret; no rate limit applies',
    },
  };
  d.components.headers = { ...d.components.headers, ...HEADERS };
  const inputs = inputSchemaNames(doc);
  for (const [name, schema] of Object.entries<Json>(d.components.schemas ?? {})) visitSchema(schema, inputs.has(name) ? limitInput : limitOutput);
  for (const [path, item] of Object.entries<Json>(d.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      for (const p of op.parameters ?? []) {
        if (p.schema && !p.schema.type && !p.schema.$ref && !p.schema.enum) p.schema.type = 'string'; // query and path values are strings
        if (p.schema) visitSchema(p.schema, limitInput);
      }
      for (const media of Object.values<Json>(op.requestBody?.content ?? {})) if (media.schema) visitSchema(media.schema, limitInput);
      // an /admin/ route that declares the bearer scheme acts for an organization (sample data), not for the operator
      const opsAdmin = path.startsWith(OPS_ADMIN_PREFIX) && !(op.security ?? []).some((req: Json) => 'bearerAuth' in req);
      if (opsAdmin) op.security = [{ opsAdminAuth: [] }];
      const rateLimited = !opsAdmin && (op.security ?? []).some((req: Json) => Object.keys(req).some((name) => name !== WEBHOOK_SIGNATURE_SCHEME));
      const billingExempt = op[BILLING_EXEMPT_EXTENSION] === true;
      delete op[BILLING_EXEMPT_EXTENSION];
      if (rateLimited && WRITES.has(method) && !billingExempt && !op.responses['402']) {
        op.responses['402'] = {
          description:
            'The organization’s subscription is past due (subscription_past_due) or has ended (subscription_canceled): reads keep working, ' +
            'writes are paused and nothing was written',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
        };
      }
      if (rateLimited && !op.responses['429']) {
        op.responses['429'] = {
          description: 'Rate limit exceeded',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
        };
      }
      for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
        for (const media of Object.values<Json>(response.content ?? {})) if (media.schema) visitSchema(media.schema, limitOutput);
        const headers: Json = { ...response.headers };
        if (rateLimited && /^[24]/.test(status)) for (const h of RATE_LIMIT_HEADERS) headers[h] ??= ref(h);
        if (status === '429') headers['Retry-After'] ??= ref('Retry-After');
        if (Object.keys(headers).length) {
          for (const h of Object.values<Json>(headers)) if (h.schema) visitSchema(h.schema, limitOutput);
          headers['Access-Control-Allow-Origin'] ??= ref('Access-Control-Allow-Origin');
          response.headers = headers;
        }
      }
    }
  }
  return doc;
}

/** Component schemas a request can carry (reachable from a parameter or a request body): the validator enforces them. */
export function inputSchemaNames(doc: OpenAPIObject): Set<string> {
  const d = doc as Json;
  const names = new Set<string>();
  const follow = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(follow);
    const r = (node as Json).$ref;
    if (typeof r === 'string' && r.startsWith('#/components/schemas/')) {
      const name = r.slice('#/components/schemas/'.length);
      if (!names.has(name)) {
        names.add(name);
        follow(d.components?.schemas?.[name]);
      }
    }
    Object.values(node).forEach(follow);
  };
  for (const item of Object.values<Json>(d.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      follow(item[method].parameters);
      follow(item[method].requestBody);
    }
  }
  return names;
}

function visitSchema(schema: Json, fn: (s: Json) => void): void {
  if (!schema || typeof schema !== 'object' || schema.$ref) return;
  fn(schema);
  for (const p of Object.values<Json>(schema.properties ?? {})) visitSchema(p, fn);
  if (schema.items) visitSchema(schema.items, fn);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') visitSchema(schema.additionalProperties, fn);
  for (const key of ['allOf', 'oneOf', 'anyOf']) for (const s of schema[key] ?? []) visitSchema(s, fn);
}

/** Input: the limits the validator enforces on a field that sets none of its own (see platform/http/dto-limits). */
function limitInput(s: Json): void {
  const itemLimits = s['x-item-limits'];
  if (itemLimits) {
    delete s['x-item-limits'];
    if (s.items && !s.items.$ref) Object.assign(s.items, itemLimits);
  }
  if (s.type === 'string' && s.maxLength === undefined && s.enum === undefined && s.const === undefined && s.format !== 'binary')
    s.maxLength = MAX_STRING_LENGTH;
  if (s.type === 'array' && s.maxItems === undefined) s.maxItems = MAX_ARRAY_ITEMS;
  if (s.type === 'integer') limitInteger(s);
  if (s.type === 'number') {
    s.minimum ??= -MAX_NUMBER;
    s.maximum ??= MAX_NUMBER;
  }
}

/**
 * Output: integers are JavaScript numbers, so within ±MAX_NUMBER; strings and arrays of responses are bounded by
 * the input limits and paging, not re-validated (see the exception list of test/openapi-lint.e2e-spec.ts).
 */
function limitOutput(s: Json): void {
  delete s['x-item-limits'];
  if (s.type === 'integer') limitInteger(s);
}

function limitInteger(s: Json): void {
  s.minimum ??= -MAX_NUMBER;
  s.maximum ??= MAX_NUMBER;
  s.format ??= s.minimum >= -INT32 && s.maximum < INT32 ? 'int32' : 'int64';
}
