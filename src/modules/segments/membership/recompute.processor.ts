import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { QueueName } from '../../../platform/queues';
import { reevaluateMembers, segmentDefinition } from './membership.sql';

export const RECOMPUTE_SEGMENT = 'segments.recompute';

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
    const outcome = await this.ds.transaction(async (m) => {
      const seg = await segmentDefinition(m, job.data.segment_id);
      return seg ? { ...(await reevaluateMembers(m, seg, 'all')), unit_id: seg.unit_id } : null;
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
}
