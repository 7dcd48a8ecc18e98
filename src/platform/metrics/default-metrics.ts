import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * prom-client's default collectors publish three gauges with a `_total` suffix, a suffix Prometheus reserves
 * for counters, so `promtool check metrics` rejects the whole exposition. Their values are the sums of the
 * per-type gauges that stay (`nodejs_active_handles{type}`, `nodejs_active_requests{type}`,
 * `nodejs_active_resources{type}`): query `sum(nodejs_active_handles)` instead.
 */
export const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/** The process and runtime metrics of prom-client, minus the gauges that break Prometheus naming rules. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
}
