import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { QueueName } from '../../../platform/queues';
import { RECHECK_PENDING, recheckPending, RecheckPendingJobData, reevaluateMembers, segmentDefinition } from './membership.sql';
import { RULE_SOURCES } from './segment-membership.projection';

export const RECOMPUTE_SEGMENT = 'segments.recompute';
/** The projections a recompute reads: the leads themselves and everything the rules read. */
const RECOMPUTE_SOURCES = ['lead-identity', ...RULE_SOURCES];
/** How long a recompute waits for them to apply what was recorded before it started. */
const SOURCES_WAIT_MS = 30_000;

export interface RecomputeSegmentJobData {
  segment_id: string;
}

/**
 * SEG-5 in the background: a segment's members re-derived whole, from its configuration as it stands when the job
 * runs, in one transaction (two set-based statements). Running twice is harmless; a segment deleted meanwhile is
 * skipped.
 */
@Processor(QueueName.Segments)
export class RecomputeSegmentProcessor {
  private readonly log = new Logger('Segments');

  constructor(private readonly ds: DataSource) {}

  @Process({ name: RECOMPUTE_SEGMENT, concurrency: 2 })
  async recompute(job: Job<RecomputeSegmentJobData>): Promise<{ joined: number; left: number } | { skipped: 'segment_gone' }> {
    const started = Date.now();
    await this.awaitSources(job.data.segment_id);
    const outcome = await this.ds.transaction(async (m) => {
      const seg = await segmentDefinition(m, job.data.segment_id);
      return seg ? { ...(await reevaluateMembers(m, seg)), unit_id: seg.unit_id } : null;
    });
    await job.progress(100);
    if (!outcome) return { skipped: 'segment_gone' };
    this.log.log({
      msg: 'segment members recomputed',
      segment_id: job.data.segment_id,
      unit_id: outcome.unit_id,
      joined: outcome.joined,
      left: outcome.left,
      ms: Date.now() - started,
    });
    return { joined: outcome.joined, left: outcome.left };
  }

  /**
   * Leads the membership projection left pending while a whole-segment pass held the segment: once the pass is over
   * (this waits for its lock), each is re-evaluated against the segment as it now stands. Nothing pending (the pass
   * itself took them) is a no-op.
   */
  @Process({ name: RECHECK_PENDING, concurrency: 2 })
  async recheck(job: Job<RecheckPendingJobData>): Promise<{ leads: number; joined: number; left: number } | { skipped: 'segment_gone' }> {
    const outcome = await this.ds.transaction(async (m) => {
      const seg = await segmentDefinition(m, job.data.segment_id);
      return seg ? recheckPending(m, seg) : null;
    });
    if (!outcome) return { skipped: 'segment_gone' };
    if (outcome.leads) this.log.log({ msg: 'deferred segment members re-checked', segment_id: job.data.segment_id, ...outcome });
    return outcome;
  }

  /**
   * Waits until the projections a recompute reads have applied every event committed before it started. Events
   * recorded while no segment was active are passed over by the membership projection (wantsEvents), so a segment
   * created right after its leads must not be derived from read models that have not caught up with them yet (the
   * leads would be missed until the hourly refresh). Bounded: after SOURCES_WAIT_MS it evaluates anyway and says so.
   */
  private async awaitSources(segmentId: string): Promise<void> {
    const [head] = await this.ds.query(
      `SELECT transaction_id::text AS tx, global_position FROM event_store_events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    if (!head) return;
    const deadline = Date.now() + SOURCES_WAIT_MS;
    for (;;) {
      const behind: { name: string }[] = await this.ds.query(
        `SELECT name FROM projection_checkpoints
          WHERE name = ANY($1::text[]) AND (last_transaction_id, last_position) < ($2::xid8, $3::bigint)`,
        [RECOMPUTE_SOURCES, head.tx, head.global_position],
      );
      if (!behind.length) return;
      if (Date.now() >= deadline) {
        this.log.warn({
          msg: 'segment recompute on read models still behind; the hourly refresh completes it',
          segment_id: segmentId,
          behind: behind.map((b) => b.name),
        });
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
