import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { QueueName } from '../../../platform/queues';
import { LeadLevelKind } from './engagement-levels.sql';
import { LevelClassifier } from './level-classifier.service';

export const RECLASSIFY_UNIT = 'levels.reclassify-unit';
/** Leads per transaction of a background re-classification. */
const CHUNK = 5000;

export interface ReclassifyJobData {
  unit_id: string;
  cause: string;
  /** absent on jobs queued before profile levels were classified: engagement */
  kind?: LeadLevelKind;
}

/**
 * Worker side of a level change in a large OU: every live lead re-derived from the configuration current when its
 * chunk runs, one transaction per chunk, its changes published after each commit. Running twice is harmless (a
 * lead already right is not written), so retries and overlapping jobs need no guard.
 */
@Processor(QueueName.Levels)
export class ReclassifyProcessor {
  private readonly log = new Logger('Levels');

  constructor(
    private readonly ds: DataSource,
    private readonly classifier: LevelClassifier,
  ) {}

  @Process({ name: RECLASSIFY_UNIT, concurrency: 1 })
  async reclassifyUnit(job: Job<ReclassifyJobData>): Promise<{ leads: number; leads_changed: number }> {
    const { unit_id, cause, kind = 'engagement' } = job.data;
    const [{ n: total }] = await selectRows<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM leads WHERE unit_id = ${unit_id} AND status = 'active'`);
    let after = '';
    let done = 0;
    let changed = 0;
    for (;;) {
      const refs = (
        await selectRows<{ id: string }>(
          this.ds,
          sql`SELECT id FROM leads WHERE unit_id = ${unit_id} AND status = 'active' AND id > ${after} ORDER BY id LIMIT ${CHUNK}`,
        )
      ).map((r) => r.id);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      const changes = await this.ds.transaction((m) => this.classifier.reclassify(m, unit_id, refs, cause, kind));
      await this.classifier.publish(changes);
      done += refs.length;
      changed += changes.length;
      await job.progress(total ? Math.min(100, Math.floor((done / total) * 100)) : 100);
      this.log.log({ msg: 'level re-classification progress', unit_id, done, total, changed });
    }
    return { leads: done, leads_changed: changed };
  }
}
