import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { webAppRoot } from '../src/platform/http/web-app';
import { startTestApp, TestApp } from './support/test-app';

/** The api serves the built back-office (`npm run build` → dist/web-app) at /app; npm test builds first. */
describe('back-office static files (/app)', () => {
  let t: TestApp;
  const root = webAppRoot();

  beforeAll(async () => {
    if (!root) throw new Error('dist/web-app is missing: run `npm run build` first (npm test does)');
    t = await startTestApp({ roles: ['api'] });
  });
  afterAll(() => t?.close());

  it('answers index.html for /app and every client route under it, uncached, under the strict CSP', async () => {
    for (const path of ['/app', '/app/', '/app/leads', '/app/leads/sample_lead_1?tab=x', '/app/rulesets']) {
      const res = await request(t.http).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('<div id="root">');
      expect(res.text).toMatch(/<script type="module" crossorigin src="\/app\/assets\/index-[\w-]+\.js"><\/script>/);
      expect(/script-src ([^;]*)/.exec(res.headers['content-security-policy'])?.[1]).toBe("'self'");
    }
  });

  it('serves hashed assets gzip-compressed with a long immutable cache', async () => {
    const script = readdirSync(join(root!, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await request(t.http).get(`/app/assets/${script}`).set('Accept-Encoding', 'gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await request(t.http).get(`/app/assets/${script}`).set('Accept-Encoding', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('answers 404 with the error shape for a file that is not there (never HTML for a stale script URL)', async () => {
    const res = await request(t.http).get('/app/assets/index-gone.js');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'no file /app/assets/index-gone.js in the back-office' });
  });

  it('needs no credential for the files (the app signs in through the API), while the API still does', async () => {
    expect((await request(t.http).get('/app/leads')).status).toBe(200);
    expect((await request(t.http).get('/leads')).status).toBe(401);
  });
});
