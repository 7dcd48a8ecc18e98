import { COLLECT_TIMEOUT_MS, MetricsService } from './metrics.service';

describe('MetricsService collectors', () => {
  it('renders within the collector cap when one collector never answers, with the others applied', async () => {
    const metrics = new MetricsService();
    metrics.onCollect('dead_database', () => new Promise<void>(() => undefined));
    metrics.onCollect('failing', async () => {
      throw new Error('connection refused');
    });
    metrics.onCollect('queues', async () => void metrics.deadLetterJobs.set({ queue: 'ingest' }, 3));
    const started = Date.now();
    const text = await metrics.render();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(COLLECT_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(COLLECT_TIMEOUT_MS + 1000);
    expect(text).toContain('dead_letter_jobs{queue="ingest"} 3');
  });

  it('runs a collector with minIntervalMs at most that often, and never twice at once', async () => {
    const metrics = new MetricsService();
    let runs = 0;
    metrics.onCollect(
      'projection_lag',
      async () => {
        runs++;
        metrics.projectionLag.set({ projection: 'p' }, runs);
        await new Promise((r) => setTimeout(r, 50));
      },
      { minIntervalMs: 300 },
    );
    let every = 0;
    metrics.onCollect('queues', async () => void every++);
    // two scrapes at once share one run; the next ones within the interval read its value
    const [a, b] = await Promise.all([metrics.render(), metrics.render()]);
    expect(a).toContain('projection_lag_events{projection="p"} 1');
    expect(b).toContain('projection_lag_events{projection="p"} 1');
    expect(await metrics.render()).toContain('projection_lag_events{projection="p"} 1');
    expect(runs).toBe(1);
    expect(every).toBe(2); // without an interval: every scrape (the two at once shared one run)
    await new Promise((r) => setTimeout(r, 300));
    expect(await metrics.render()).toContain('projection_lag_events{projection="p"} 2');
  });

  it('serves only the named metrics as they stand, running no collector', async () => {
    const metrics = new MetricsService();
    let runs = 0;
    metrics.onCollect('projection_lag', async () => {
      runs++;
      metrics.projectionLag.set({ projection: 'p' }, runs);
    });
    metrics.eventsProcessed.inc({ outcome: 'recorded' }, 7);
    const text = await metrics.render(['events_processed_total', 'no_such_metric', 'events_processed_total']);
    expect(runs).toBe(0);
    expect(text).toMatch(/^events_processed_total\{outcome="recorded"\} 7$/m);
    expect(text.match(/^# TYPE /gm)).toHaveLength(1);
    expect(text.endsWith('\n')).toBe(true);
    // the full exposition still runs it
    expect(await metrics.render()).toContain('projection_lag_events{projection="p"} 1');
    expect(runs).toBe(1);
  });
});
