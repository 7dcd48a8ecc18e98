import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { ProjectionRebuilder } from '../projections/projection-rebuilder.service';
import { QueueName } from '../queues/queue-names';

export const REBUILD_PROJECTION = 'projections.rebuild';

export interface RebuildProjectionData {
  projection: string;
  requested_by?: string;
}

/** Worker side of POST /admin/projections/{name}/rebuild: replays the store, reporting progress on the job. */
@Processor(QueueName.Maintenance)
export class RebuildProjectionJob {
  private readonly logger = new Logger('Maintenance');

  constructor(private readonly rebuilder: ProjectionRebuilder) {}

  @Process({ name: REBUILD_PROJECTION, concurrency: 1 })
  async handle(job: Job<RebuildProjectionData>): Promise<{ events: number }> {
    let lastReported = -1;
    const events = await this.rebuilder.rebuild(job.data.projection, (done, total) => {
      const pct = total ? Math.floor((done / total) * 100) : 100;
      if (pct !== lastReported) {
        lastReported = pct;
        void job.progress(pct);
        this.logger.log({ msg: 'rebuild progress', projection: job.data.projection, done, total, pct, job_id: job.id });
      }
    });
    return { events };
  }
}
