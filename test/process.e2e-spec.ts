import { spawnSync } from 'node:child_process';
import { START_SCRIPT, startMetricsWorker, startServerProcess, useProcessFixture } from './support/server-process';

/** The built server as a real process: configuration errors, start, readiness, SIGTERM. (`npm test` builds first.) */
describe('server process', () => {
  const fixture = useProcessFixture();

  it('refuses to start on a malformed setting and names it', () => {
    const r = spawnSync(process.execPath, [START_SCRIPT], {
      env: { ...process.env, PORT: 'eighty', REDIS_URL: 'http://nope' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('PORT ("eighty")');
    expect(r.stderr).toContain('REDIS_URL');
  });

  it('starts both roles, answers readiness, and shuts down cleanly on SIGTERM', async () => {
    const server = await startServerProcess({ ...fixture.env(), LOG_LEVEL: 'info' });
    try {
      expect((await fetch(`${server.base}/health/ready`)).status).toBe(200);
      const res = await fetch(`${server.base}/`, { headers: { 'X-Request-Id': 'proc-test-1' } });
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(await server.stop()).toBe(0);
    } finally {
      server.kill();
    }
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'kenbun started')?.roles).toEqual(['api', 'worker']);
    expect(lines.find((l) => l.req?.id === 'proc-test-1')).toBeDefined();
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'worker drained', 'shutdown complete']));
  });

  it('serves the metrics of a worker started without the api role on WORKER_METRICS_PORT', async () => {
    const worker = await startMetricsWorker(fixture.env());
    try {
      const res = await fetch(`${worker.base}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('# TYPE ingest_to_score_latency_seconds histogram');
      expect(text).toContain('# TYPE events_processed_total counter');
      expect((await fetch(`${worker.base}/anything`)).status).toBe(404);
      // ?name= serves only the named metrics (unknown names skipped), without running the collectors
      const one = await (await fetch(`${worker.base}/metrics?name=events_processed_total&name=no_such_metric`)).text();
      expect(one).toContain('# TYPE events_processed_total counter');
      expect(one).not.toContain('ingest_to_score_latency_seconds');
      expect(one).not.toContain('projection_lag');
      const two = await (await fetch(`${worker.base}/metrics?name=events_processed_total&name=ingest_to_score_latency_seconds`)).text();
      expect(two.match(/^# TYPE \S+/gm)).toEqual(['# TYPE events_processed_total', '# TYPE ingest_to_score_latency_seconds']);
    } finally {
      await worker.stop();
    }
  });
});
