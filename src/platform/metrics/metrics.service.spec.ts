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
});
