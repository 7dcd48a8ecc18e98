import { Registry } from 'prom-client';
import { collectProcessMetrics, GAUGES_NAMED_LIKE_COUNTERS } from './default-metrics';

describe('collectProcessMetrics', () => {
  it('keeps the runtime metrics but no gauge named like a counter', async () => {
    const registry = new Registry();
    collectProcessMetrics(registry);
    const families = await registry.getMetricsAsJSON();
    const names = families.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles']));
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) expect(names).not.toContain(name);
    expect(families.filter((f) => String(f.type) === 'gauge' && f.name.endsWith('_total')).map((f) => f.name)).toEqual([]);
  });
});
