import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectionStatusReader } from './projection-status.reader';

/** `projection_lag_events` and `projection_lag_seconds`, read at scrape time from the checkpoints against the store. */
@Injectable()
export class ProjectionLagMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly status: ProjectionStatusReader,
  ) {}

  onModuleInit(): void {
    // at most once a second, however often /metrics is scraped (the count reads the store's index)
    this.metrics.onCollect('projection_lag', () => this.collect(), { minIntervalMs: 1000 });
  }

  async collect(): Promise<void> {
    for (const lag of await this.status.lags()) {
      this.metrics.projectionLag.set({ projection: lag.name }, lag.events);
      this.metrics.projectionLagSeconds.set({ projection: lag.name }, lag.oldestAgeSeconds);
    }
  }
}
