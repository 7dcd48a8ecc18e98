import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import request from 'supertest';
import { startTestApp, TestApp } from './support/test-app';

describe('HTTP conventions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ roles: ['api'], env: { HTTP_BODY_LIMIT: '64kb', QUEUE_DASHBOARD_PASSWORD: 'ops-secret' } });
  });
  afterAll(() => t.close());

  const ops = 'Basic ' + Buffer.from('admin:ops-secret').toString('base64');

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await request(t.http)
      .post('/admin/queue-stats/maintenance/failed/retry')
      .set('Authorization', ops)
      .set('Content-Type', 'application/json')
      .send('{"job_ids": [');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_json');
    expect(typeof res.body.message).toBe('string');
  });

  it('answers an oversized body with 413 in the error shape, not 500', async () => {
    const res = await request(t.http)
      .post('/admin/queue-stats/maintenance/failed/retry')
      .set('Authorization', ops)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ job_ids: ['x'.repeat(70 * 1024)] }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', message: expect.stringContaining('limit') });
  });

  it('names the field and the reason on a validation failure', async () => {
    const res = await request(t.http)
      .post('/admin/queue-stats/maintenance/failed/retry')
      .set('Authorization', ops)
      .send({ job_ids: 'not-a-list', surprise: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'job_ids', reason: expect.stringContaining('array') }),
        expect.objectContaining({ field: 'surprise', reason: expect.stringContaining('should not exist') }),
      ]),
    );
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(t.http).get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ error: 'not_found', message: 'Cannot GET /no/such/route' });
  });

  it('puts a request id on every response and keeps a sane one from the caller', async () => {
    const generated = await request(t.http).get('/');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await request(t.http).get('/').set('X-Request-Id', 'trace-123');
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const unsafe = await request(t.http).get('/').set('X-Request-Id', 'bad id with spaces');
    expect(unsafe.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('sets helmet security headers', async () => {
    const res = await request(t.http).get('/');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves / and /home as JSON, or HTML when asked', async () => {
    expect((await request(t.http).get('/')).body).toEqual({ status: 'ok' });
    expect((await request(t.http).get('/home')).body).toEqual({ status: 'ok', page: 'home' });
    const html = await request(t.http).get('/home').set('Accept', 'text/html,application/xhtml+xml');
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('<h1>');
  });

  it('reports liveness and readiness of PostgreSQL and Redis', async () => {
    expect((await request(t.http).get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await request(t.http).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.database.status).toBe('up');
    expect(ready.body.details.redis.status).toBe('up');
  });

  it('serves /metrics as parseable Prometheus text with the product metrics', async () => {
    await request(t.http).get('/no/such/route');
    const res = await request(t.http).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const families = parsePrometheusTextFormat(res.text) as Array<{ name: string; type: string; metrics: Array<{ labels?: Record<string, string> }> }>;
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const name of [
      'events_ingested_total',
      'queue_depth',
      'event_to_slack_latency_seconds',
      'http_requests_total',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(byName.has(name)).toBe(true);
    }
    expect(byName.get('event_to_slack_latency_seconds')!.type).toBe('HISTOGRAM');
    expect(byName.get('queue_depth')!.metrics.map((m) => m.labels?.queue)).toContain('maintenance');
    const notFound = byName.get('http_requests_total')!.metrics.find((m) => m.labels?.status === '404');
    expect(notFound?.labels?.route).toBe('unmatched');
  });

  it('serves the OpenAPI document and the interactive reference', async () => {
    const json = await request(t.http).get('/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.components.securitySchemes)).toEqual(expect.arrayContaining(['bearerAuth', 'basicAuth']));
    const ui = await request(t.http).get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('keeps the queue dashboard behind the operations credential', async () => {
    expect((await request(t.http).get('/admin/queues')).status).toBe(401);
    const wrong = 'Basic ' + Buffer.from('admin:nope').toString('base64');
    expect((await request(t.http).get('/admin/queues').set('Authorization', wrong)).status).toBe(401);
    const ok = await request(t.http).get('/admin/queues').set('Authorization', ops);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<html');
  });
});
