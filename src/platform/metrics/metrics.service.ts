import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from './default-metrics';

/**
 * The process's Prometheus registry and the product-wide metrics. Feature code increments these;
 * gauges whose value lives elsewhere (queue depth, projection lag) read it at scrape time.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly eventsIngested = new Counter({
    name: 'events_ingested_total',
    help: 'Events accepted by /ingest and /import (durably queued)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly eventsProcessed = new Counter({
    name: 'events_processed_total',
    help: 'Queued events recorded by the pipeline, by outcome (scored, unscored, suppressed, duplicate)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestToScoreLatency = new Histogram({
    name: 'ingest_to_score_latency_seconds',
    help: 'Time from an event being accepted to its score being visible in the read models',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'queue_depth',
    help: 'Jobs waiting or delayed in each queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly eventToSlackLatency = new Histogram({
    name: 'event_to_slack_latency_seconds',
    help: 'Time from event ingest to the Slack notification it caused',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly notificationAttempts = new Counter({
    name: 'notification_attempts_total',
    help: 'Notification send attempts by destination kind and outcome (delivered, retry, terminal_4xx, retry_exhausted)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly notificationLatency = new Histogram({
    name: 'notification_firing_to_delivered_seconds',
    help: 'Time from the firing that caused a notification to its delivery',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'projection_lag_events',
    help: 'Committed events in the store that a projection has not applied yet (counted up to 10,000, refreshed at most once a second)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLagSeconds = new Gauge({
    name: 'projection_lag_seconds',
    help: 'Age of the oldest committed event a projection has not applied yet; 0 when caught up',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly deadLetterJobs = new Gauge({
    name: 'dead_letter_jobs',
    help: 'Jobs in the failed set of each queue: attempts exhausted (or stalled too often), kept until re-driven',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly notificationDeadLetters = new Gauge({
    name: 'notification_dead_letters',
    help: 'Notification outbox rows that were given up (terminal_4xx, retry_exhausted), all organizations',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly redisPersistenceOk = new Gauge({
    name: 'redis_persistence_ok',
    help: 'Redis keeps accepted jobs across a restart (AOF or RDB on, maxmemory-policy noeviction): 1, else or unverifiable 0',
    registers: [this.registry],
  });

  private readonly logger = new Logger('Metrics');
  private readonly collectors: Collector[] = [];

  constructor() {
    collectProcessMetrics(this.registry);
  }

  /**
   * Registers a function run before each scrape to refresh gauges. Each gets COLLECT_TIMEOUT_MS: a collector stuck
   * on a dead database or Redis leaves its gauges at their last values instead of hanging the scrape.
   * `minIntervalMs`: a collector that costs the database something runs at most that often, however often /metrics is
   * scraped (scrapes in between read its last values), and never twice at once: a bench polling /metrics every 50 ms
   * made the projection-lag count a tenth of PostgreSQL's work.
   */
  onCollect(name: string, fn: () => Promise<void>, opts: { minIntervalMs?: number } = {}): void {
    this.collectors.push({ name, fn, minIntervalMs: opts.minIntervalMs ?? 0, lastStarted: 0, running: null });
  }

  /**
   * The whole exposition, collectors refreshed first; or (`names`) only the named metrics as they stand, with no
   * collector run — counters and histograms are always current, a collector's gauges keep their last values. The
   * named read is what a poller of one counter asks for (a benchmark waiting on `events_processed_total`): a full
   * scrape runs the projection-lag count, which under a backlog kept a PostgreSQL backend busy for the whole pass.
   */
  async render(names?: readonly string[]): Promise<string> {
    if (names?.length) {
      const known = [...new Set(names)].filter((n) => this.registry.getSingleMetric(n));
      return (await Promise.all(known.map((n) => this.registry.getSingleMetricAsString(n)))).map((t) => `${t}\n`).join('');
    }
    await Promise.all(this.collectors.map((c) => this.refresh(c)));
    return this.registry.metrics();
  }

  private refresh(c: Collector): Promise<void> {
    if (c.running) return c.running;
    if (c.minIntervalMs && Date.now() - c.lastStarted < c.minIntervalMs) return Promise.resolve();
    c.lastStarted = Date.now();
    c.running = this.runCollector(c.name, c.fn).finally(() => (c.running = null));
    return c.running;
  }

  private async runCollector(name: string, fn: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), COLLECT_TIMEOUT_MS)));
    try {
      const outcome = await Promise.race([fn().then(() => 'done' as const), timeout]);
      if (outcome === 'timeout')
        this.logger.warn({ msg: 'metrics collector timed out; its gauges keep their last values', collector: name, timeout_ms: COLLECT_TIMEOUT_MS });
    } catch (err) {
      this.logger.warn({ msg: 'metrics collector failed; its gauges keep their last values', collector: name, err: (err as Error)?.message ?? String(err) });
    } finally {
      clearTimeout(timer);
    }
  }
}

interface Collector {
  name: string;
  fn: () => Promise<void>;
  minIntervalMs: number;
  lastStarted: number;
  running: Promise<void> | null;
}

/** The most one collector may add to a scrape. */
export const COLLECT_TIMEOUT_MS = 2000;
