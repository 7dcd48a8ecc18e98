import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { reevaluateMembers, segmentDefinition } from './membership.sql';

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

/**
 * Rule types whose truth can change with no event on the lead's stream: levels move with the hourly score refresh
 * and with a level reconfiguration, account levels and metadata with the account's own figures. The membership
 * projection follows lead and account events; these segments are also re-derived whole every hour.
 */
export const DRIFTING_RULE_TYPES = ['engagement_level', 'profile_level', 'account_level', 'account_metadata'];

/**
 * SEG-5, hourly at :20 (after `decay.apply` at :00, `scores.refresh-decaying` at :07 and `scores.snapshot` at :15): every active segment with a level
 * or account rule, re-derived whole, one transaction (two set-based statements) per segment. Safe to run twice and
 * on two workers at once: each segment's statements hold its advisory lock and only move the difference.
 */
@Injectable()
export class SegmentsRefreshJob {
  private readonly log = new Logger('Segments');

  constructor(private readonly ds: DataSource) {}

  @ScheduledJob({ name: 'segments.refresh', cron: '20 * * * *' })
  async refresh(ctx: JobContext = QUIET): Promise<JobSummary> {
    const ids: { id: string }[] = await this.ds.query(
      `SELECT s.id FROM segments s
        WHERE s.active AND EXISTS (SELECT 1 FROM segment_rules r WHERE r.segment_id = s.id AND r.active AND r.rule_type = ANY($1))
        ORDER BY s.unit_id, s.id`,
      [DRIFTING_RULE_TYPES],
    );
    const summary = { segments: 0, joined: 0, left: 0 };
    ctx.progress(0, ids.length);
    for (const { id } of ids) {
      const moved = await this.ds.transaction(async (m) => {
        const seg = await segmentDefinition(m, id);
        return seg?.active ? reevaluateMembers(m, seg, 'all') : null;
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
