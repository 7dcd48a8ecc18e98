import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectionStatusReader } from './projection-status.reader';

/**
 * `projection_lag_events` and `projection_lag_seconds`, read at scrape time from the checkpoints against the store.
 * The age is measured on the clock that stamped the events (`recorded_at`), not PostgreSQL's.
 */
@Injectable()
export class ProjectionLagMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly status: ProjectionStatusReader,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.metrics.onCollect('projection_lag', () => this.collect());
  }

  async collect(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const lag of await this.status.lags()) {
      this.metrics.projectionLag.set({ projection: lag.name }, lag.events);
      const age = lag.oldestRecordedAt ? Math.max(0, (now - new Date(lag.oldestRecordedAt).getTime()) / 1000) : 0;
      this.metrics.projectionLagSeconds.set({ projection: lag.name }, age);
    }
  }
}
