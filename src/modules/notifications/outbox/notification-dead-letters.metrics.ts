import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { MetricsService } from '../../../platform/metrics';
import { DeliveryStatus } from './delivery.types';

/**
 * Outbox rows nothing will send any more: the receiver refused them (`terminal_4xx`) or every attempt failed
 * (`retry_exhausted`). `enqueue_failed` is not one: the sweeper re-enqueues it. Counted through a partial index
 * holding only these rows (migration 1764000000190), so a scrape does not read the whole outbox.
 */
export const GIVEN_UP_STATUSES: readonly DeliveryStatus[] = ['terminal_4xx', 'retry_exhausted'];

/** `notification_dead_letters{status}`, read at scrape time (all organizations: an operator's number). */
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
    const rows = await selectRows<{ status: string; n: string }>(
      this.dataSource,
      sql`SELECT status, count(*) AS n FROM notification_deliveries WHERE status IN ('terminal_4xx', 'retry_exhausted') GROUP BY status`,
    );
    const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
    for (const status of GIVEN_UP_STATUSES) this.metrics.notificationDeadLetters.set({ status }, counts.get(status) ?? 0);
  }
}
