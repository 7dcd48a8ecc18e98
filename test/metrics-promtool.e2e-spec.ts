import { spawnSync } from 'node:child_process';
import { startServerProcess, startMetricsWorker, useProcessFixture } from './support/server-process';

/**
 * `promtool check metrics` (Debian's `prometheus` package) lints what a Prometheus server will scrape: names,
 * suffixes, types, help. Both endpoints are checked on the built server: the api's /metrics and the
 * metrics port of a worker without the api role. In CI (CI=true) a missing promtool fails the run.
 */
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const available = promtool.status === 0;
const itWithPromtool = available || process.env.CI === 'true' ? it : it.skip;

/** The operator's gauges (README "Running it for real"): each must be exposed, typed and pass promtool. */
const OPERATOR_GAUGES = ['projection_lag_events', 'projection_lag_seconds', 'dead_letter_jobs', 'notification_dead_letters', 'redis_persistence_ok'];

function expectOperatorGauges(text: string): void {
  for (const name of OPERATOR_GAUGES) {
    expect(text).toContain(`# TYPE ${name} gauge`);
    expect(text).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? \\d`, 'm'));
  }
  expect(text).toMatch(/^projection_lag_events\{projection="stream_summaries"\} \d+$/m);
  expect(text).toMatch(/^dead_letter_jobs\{queue="ingest"\} 0$/m);
  expect(text).toMatch(/^notification_dead_letters\{status="retry_exhausted"\} 0$/m);
}

function check(text: string): { status: number | null; output: string } {
  if (!available) throw new Error('promtool is not installed (apt-get install prometheus); CI=true requires it');
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('Prometheus exposition passes promtool', () => {
  const fixture = useProcessFixture();
  if (!available) console.warn('promtool not found: the promtool checks are skipped (they fail when CI=true)');

  itWithPromtool('rejects a gauge named like a counter (the check is live)', () => {
    const r = check('# HELP demo_active_total Demo.\n# TYPE demo_active_total gauge\ndemo_active_total 1\n');
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('demo_active_total');
  });

  itWithPromtool('accepts the api /metrics', async () => {
    const server = await startServerProcess(fixture.env());
    try {
      await fetch(`${server.base}/no/such/route`);
      const res = await fetch(`${server.base}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('# TYPE http_requests_total counter');
      expectOperatorGauges(text);
      expect(check(text)).toEqual({ status: 0, output: '' });
    } finally {
      await server.stop();
    }
  });

  itWithPromtool('accepts the metrics of a worker without the api role', async () => {
    const worker = await startMetricsWorker(fixture.env());
    try {
      const res = await fetch(`${worker.base}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('# TYPE events_processed_total counter');
      expectOperatorGauges(text);
      expect(check(text)).toEqual({ status: 0, output: '' });
    } finally {
      await worker.stop();
    }
  });
});
