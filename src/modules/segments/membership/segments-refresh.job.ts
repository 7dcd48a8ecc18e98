import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { reevaluateMembers, segmentDefinition } from './membership.sql';

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

/**
 * Rule types whose truth can change with no event on the lead's stream: levels move with the hourly score refresh
 * and with a level reconfiguration, account levels and metadata with the account's own figures.
 */
export const DRIFTING_RULE_TYPES = ['engagement_level', 'profile_level', 'account_level', 'account_metadata'];

/**
 * SEG-5, hourly at :20 (after `decay.apply` at :00, `scores.refresh-decaying` at :07 and `scores.snapshot` at :15):
 * every active segment re-derived whole, one transaction (two set-based statements) per segment. It catches what the
 * membership projection cannot see (changes of the `DRIFTING_RULE_TYPES` that no lead event carries) and bounds to an
 * hour what it may miss (a batch evaluated after its sources' 3 s wait ran out). Safe to run twice and on two workers
 * at once: each segment's statements hold its advisory lock and only move the difference. Its result counts the
 * segments with drifting rules apart.
 */
@Injectable()
export class SegmentsRefreshJob {
  private readonly log = new Logger('Segments');

  constructor(private readonly ds: DataSource) {}

  @ScheduledJob({ name: 'segments.refresh', cron: '20 * * * *' })
  async refresh(ctx: JobContext = QUIET): Promise<JobSummary> {
    const ids: { id: string; drifting: boolean }[] = await this.ds.query(
      `SELECT s.id, EXISTS (SELECT 1 FROM segment_rules r WHERE r.segment_id = s.id AND r.active AND r.rule_type = ANY($1)) AS drifting
         FROM segments s WHERE s.active ORDER BY s.unit_id, s.id`,
      [DRIFTING_RULE_TYPES],
    );
    const summary = { segments: 0, drifting_segments: ids.filter((i) => i.drifting).length, joined: 0, left: 0 };
    ctx.progress(0, ids.length);
    for (const { id } of ids) {
      const moved = await this.ds.transaction(async (m) => {
        const seg = await segmentDefinition(m, id);
        return seg?.active ? reevaluateMembers(m, seg) : null;
      });
      if (moved) {
        summary.segments++;
        summary.joined += moved.joined;
        summary.left += moved.left;
      }
      ctx.progress(summary.segments, ids.length);
    }
    this.log.log({ msg: 'segments refreshed', ...summary });
    return summary;
  }
}
