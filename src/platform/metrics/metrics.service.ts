import { Injectable } from '@nestjs/common';
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
    help: 'Events in the store that a projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  private readonly collectors: Array<() => Promise<void>> = [];

  constructor() {
    collectProcessMetrics(this.registry);
  }

  /** Registers a function run before each scrape to refresh gauges. */
  onCollect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((fn) => fn()));
    return this.registry.metrics();
  }
}
