import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { ScheduledJob } from '../scheduling/scheduled-job.decorator';

/** Keeps 30 days of cron run history. */
@Injectable()
export class PruneJobRunsJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @ScheduledJob({ name: 'maintenance.prune-job-runs', cron: '17 * * * *' })
  async run(): Promise<{ runs_deleted: number }> {
    const cutoff = new Date(this.clock.now().getTime() - 30 * 86_400_000);
    const [, deleted] = await this.dataSource.query(`DELETE FROM scheduled_job_runs WHERE started_at < $1`, [cutoff.toISOString()]);
    return { runs_deleted: Number(deleted) };
  }
}
