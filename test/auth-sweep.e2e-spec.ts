import { readFileSync } from 'node:fs';
import request from 'supertest';
import { OPENAPI_FILE } from '../src/platform/openapi/openapi';
import { startTestApp, TestApp } from './support/test-app';

/** Operations that need no credential (everything else must answer 401 without one). */
const PUBLIC = new Set([
  'GET /',
  'GET /home',
  'GET /metrics',
  'GET /health/live',
  'GET /health/ready',
  'POST /auth/login',
  'POST /auth/cleanup',
  'GET /public/score-explain/{token}',
  // Slack sends the browser back here; the single-use OAuth state identifies the OU and the member
  'GET /slack/oauth/callback',
  // HubSpot likewise (contracts §4)
  'GET /hubspot/oauth/callback',
]);

const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
const operations: Array<[string, string, string, { security?: unknown[] }]> = [];
for (const [path, item] of Object.entries<Record<string, { security?: unknown[] }>>(doc.paths)) {
  for (const [method, op] of Object.entries(item)) operations.push([`${method.toUpperCase()} ${path}`, method, path, op]);
}
const secured = operations.filter(([name]) => !PUBLIC.has(name));

describe('every operation of the OpenAPI document', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ roles: ['api'], env: { QUEUE_DASHBOARD_PASSWORD: 'ops-secret' } });
  });
  afterAll(() => t.close());

  it('is either listed as public here or declares a security scheme', () => {
    const undeclared = secured.filter(([, , , op]) => !op.security?.length).map(([name]) => name);
    expect(undeclared).toEqual([]);
    expect(secured.length).toBeGreaterThan(20);
  });

  it.each(secured.map(([name, method, path, op]) => [name, method, path, op] as const))(
    '%s answers 401 without a credential',
    async (_name, method, path, op) => {
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const res = await (request(t.http) as unknown as Record<string, (u: string) => request.Test>)[method](url).send({});
      expect(res.status).toBe(401);
      // a provider-signed receiver (the billing webhook) has no credential: an unsigned call fails its signature check
      const signed = op.security?.some((s) => Object.keys(s as object).includes('webhookSignature'));
      expect(res.body).toEqual({ error: signed ? 'webhook_signature_invalid' : 'unauthorized', message: expect.any(String) });
    },
  );
});
