import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { Clock } from '../../../platform/clock';
import { raw, selectOne, Sql, sql } from '../../../platform/database';
import { uuidv7Floor } from '../../../platform/event-store';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';

const DAY_MS = 86_400_000;
/** rows deleted per statement: short transactions, progress between them */
const CHUNK = 5_000;

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

interface Rule {
  table: 'notification_deliveries' | 'notification_attempts';
  /** rows created before this instant (their uuidv7 keys sort below its floor) */
  before: Date;
  where: Sql;
}

/**
 * `notifications.prune`, daily: the outbox and its attempt history do not grow for ever.
 * - A delivered notification goes `NOTIFICATION_RETENTION_DAYS` (30) after its delivery, with its successful attempt.
 * - A notification given up for good (`terminal_4xx`, `retry_exhausted`) goes `NOTIFICATION_FAILURE_RETENTION_DAYS`
 *   (90) after its last attempt — long enough to be listed (NF-1) and re-driven — and failed attempts at the same age.
 * - The failed attempts of a notification delivered in the end go with it (30 days), not at the failures' 90: no
 *   attempt outlives its notification.
 * - Rows still to be sent (`pending`, `enqueue_failed`) are never pruned.
 * The 24-hour health (TRG-H, NC-4) only reads the last day, so it is unchanged by either window.
 *
 * Both tables are keyed by UUID v7, which sorts by creation time: each chunk walks the primary key below the
 * cutoff's floor instead of scanning the table (neither table has, or needs on its hot write path, an index on the
 * times compared here). The time columns stay the condition; the key range only bounds the walk.
 */
@Injectable()
export class OutboxRetentionJob {
  private readonly log = new Logger('OutboxRetention');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @ScheduledJob({ name: 'notifications.prune', cron: '40 3 * * *' })
  async run(ctx: JobContext = QUIET): Promise<JobSummary> {
    const now = this.clock.now().getTime();
    const delivered = new Date(now - this.config.env.NOTIFICATION_RETENTION_DAYS * DAY_MS);
    const givenUp = new Date(now - this.config.env.NOTIFICATION_FAILURE_RETENTION_DAYS * DAY_MS);
    const d = delivered.toISOString();
    const g = givenUp.toISOString();
    const rules: Rule[] = [
      { table: 'notification_deliveries', before: delivered, where: sql`status = 'delivered' AND delivered_at < ${d}` },
      { table: 'notification_deliveries', before: givenUp, where: sql`status IN ('terminal_4xx', 'retry_exhausted') AND last_attempt_at < ${g}` },
      { table: 'notification_attempts', before: delivered, where: sql`status = 'delivered' AND attempted_at < ${d}` },
      { table: 'notification_attempts', before: givenUp, where: sql`status = 'failed' AND attempted_at < ${g}` },
      // younger failed attempts whose notification is gone or goes now (delivered, past its retention): the same set
      // before and after the first rule, so the progress total counts them once
      {
        table: 'notification_attempts',
        before: delivered,
        where: sql`status = 'failed' AND attempted_at < ${d} AND attempted_at >= ${g} AND delivery_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM notification_deliveries x
                                    WHERE x.id = notification_attempts.delivery_id AND NOT (x.status = 'delivered' AND x.delivered_at < ${d}))`,
      },
    ];
    const due = await Promise.all(rules.map((r) => this.count(r)));
    const total = due.reduce((a, b) => a + b, 0);
    let done = 0;
    const deleted = rules.map(() => 0);
    ctx.progress(0, total);
    for (const [i, r] of rules.entries()) {
      for (;;) {
        const n = await this.deleteChunk(r);
        deleted[i] += n;
        done += n;
        ctx.progress(Math.min(done, total), total);
        if (n < CHUNK) break;
      }
    }
    const summary = {
      deliveries_delivered_deleted: deleted[0],
      deliveries_given_up_deleted: deleted[1],
      attempts_deleted: deleted[2] + deleted[3] + deleted[4],
      delivered_cutoff: d,
      given_up_cutoff: g,
    };
    this.log.log({ msg: 'notification outbox pruned', ...summary });
    return summary;
  }

  private async count(r: Rule): Promise<number> {
    const row = await selectOne<{ n: number }>(
      this.ds,
      sql`SELECT count(*)::int AS n FROM ${raw(r.table)} WHERE id < ${uuidv7Floor(r.before.getTime())}::uuid AND ${r.where}`,
    );
    return row!.n;
  }

  private async deleteChunk(r: Rule): Promise<number> {
    const row = await selectOne<{ n: number }>(
      this.ds,
      sql`WITH gone AS (
            DELETE FROM ${raw(r.table)} WHERE id IN (
              SELECT id FROM ${raw(r.table)} WHERE id < ${uuidv7Floor(r.before.getTime())}::uuid AND ${r.where} ORDER BY id LIMIT ${CHUNK}
            ) RETURNING 1
          ) SELECT count(*)::int AS n FROM gone`,
    );
    return row!.n;
  }
}
