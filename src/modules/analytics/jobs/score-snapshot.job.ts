import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, sql } from '../../../platform/database';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { displayedScore } from '../queries/analytics-sql';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** PERF-6: score history is kept 90 days. */
export const SNAPSHOT_RETENTION_DAYS = 90;

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

/**
 * PERF-6, hourly (after `scores.refresh-decaying` at :07 has brought decaying scores up to date): the score history
 * behind score gains, attribution insights and score history. One set-based statement for every OU writes, at the
 * current hour bucket, the displayed score of each live lead whose score differs from its latest snapshot (or from 0
 * without one); a second one drops snapshots past retention except each lead's newest one before the cutoff, which
 * still says what the lead's score was at the cutoff.
 * Safe to run twice and on two workers: a lead already snapshotted in this bucket is skipped and the primary key
 * (lead, bucket) drops a concurrent duplicate, so a second run in the same hour writes nothing.
 */
@Injectable()
export class ScoreSnapshotJob {
  private readonly log = new Logger('ScoreSnapshot');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  @ScheduledJob({ name: 'scores.snapshot', cron: '15 * * * *' })
  async snapshot(ctx: JobContext = QUIET): Promise<JobSummary> {
    const now = this.clock.now();
    const bucket = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
    const cutoff = new Date(now.getTime() - SNAPSHOT_RETENTION_DAYS * DAY_MS);
    ctx.progress(0, 2);
    const written = await selectOne<{ leads: number; units: number }>(
      this.ds,
      sql`WITH changed AS (
            SELECT l.id, l.org_id, l.unit_id, ${displayedScore('l')} AS score, last.score AS last_score, last.snapshot_at AS last_at
              FROM leads l
              LEFT JOIN LATERAL (
                SELECT s.score, s.snapshot_at FROM score_snapshots s WHERE s.lead_ref = l.id ORDER BY s.snapshot_at DESC LIMIT 1
              ) last ON true
             WHERE l.status = 'active'
          ), ins AS (
            INSERT INTO score_snapshots (lead_ref, snapshot_at, org_id, unit_id, score)
            SELECT c.id, ${bucket.toISOString()}, c.org_id, c.unit_id, c.score FROM changed c
             WHERE c.score IS DISTINCT FROM coalesce(c.last_score, 0) AND (c.last_at IS NULL OR c.last_at < ${bucket.toISOString()})
            ON CONFLICT (lead_ref, snapshot_at) DO NOTHING
            RETURNING unit_id
          )
          SELECT count(*)::int AS leads, count(DISTINCT unit_id)::int AS units FROM ins`,
    );
    ctx.progress(1, 2);
    this.log.log({ msg: 'score snapshots written', bucket: bucket.toISOString(), leads: written!.leads, units: written!.units });
    const pruned = await selectOne<{ n: number }>(
      this.ds,
      sql`WITH gone AS (
            DELETE FROM score_snapshots s
             WHERE s.snapshot_at < ${cutoff.toISOString()}
               AND EXISTS (SELECT 1 FROM score_snapshots n WHERE n.lead_ref = s.lead_ref AND n.snapshot_at > s.snapshot_at AND n.snapshot_at <= ${cutoff.toISOString()})
            RETURNING 1
          ) SELECT count(*)::int AS n FROM gone`,
    );
    ctx.progress(2, 2);
    const summary = { bucket: bucket.toISOString(), snapshots_written: written!.leads, units: written!.units, snapshots_deleted: pruned!.n };
    this.log.log({ msg: 'score snapshots pruned', cutoff: cutoff.toISOString(), deleted: pruned!.n });
    return summary;
  }
}
