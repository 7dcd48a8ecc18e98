import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { MetricsService } from '../../../platform/metrics';
import { GIVEN_UP_STATUSES } from './delivery.types';

/**
 * `notification_dead_letters{status}`, read at scrape time (all organizations: an operator's number): the given-up
 * rows, counted through a partial index holding only them (migration 1764000000190), so a scrape does not read the
 * whole outbox.
 */
@Injectable()
export class NotificationDeadLetterMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.onCollect('notification_dead_letters', () => this.collect());
  }

  async collect(): Promise<void> {
    // the literal list is the partial index's predicate (a bound array would not let the planner prove it)
    const rows = await selectRows<{ status: string; n: string }>(
      this.dataSource,
      sql`SELECT status, count(*) AS n FROM notification_deliveries WHERE status IN ('terminal_4xx', 'retry_exhausted') GROUP BY status`,
    );
    const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
    for (const status of GIVEN_UP_STATUSES) this.metrics.notificationDeadLetters.set({ status }, counts.get(status) ?? 0);
  }
}
