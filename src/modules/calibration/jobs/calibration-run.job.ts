import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { CalibrationEngine } from '../application/calibration-engine';

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

/**
 * CAL-7, contracts §1: `calibration.run`, weekly (Mondays 03:30 UTC), computes every ruleset of every OU that has a
 * conversion definition (an OU without one has nothing to calibrate against: its rules answer
 * `no_conversion_definition`). One OU at a time, each in its own transaction (CalibrationEngine); an OU that fails is
 * logged and counted, the others still run.
 */
@Injectable()
export class CalibrationRunJob {
  private readonly log = new Logger('CalibrationRun');

  constructor(
    private readonly ds: DataSource,
    private readonly engine: CalibrationEngine,
  ) {}

  @ScheduledJob({ name: 'calibration.run', cron: '30 3 * * 1' })
  async run(ctx: JobContext = QUIET): Promise<JobSummary> {
    const units = await selectRows<{ org_id: string; unit_id: string }>(this.ds, sql`SELECT org_id, unit_id FROM conversion_definitions ORDER BY unit_id`);
    const summary = { units: 0, units_failed: 0, rulesets: 0, rules: 0 };
    ctx.progress(0, units.length);
    for (const [i, u] of units.entries()) {
      try {
        const r = await this.engine.computeUnit({ orgId: u.org_id, unitId: u.unit_id }, ctx.trigger === 'cron' ? 'cron' : 'manual');
        summary.units++;
        summary.rulesets += r.rulesets;
        summary.rules += r.rules;
      } catch (err) {
        summary.units_failed++;
        this.log.error({ msg: 'calibration of an OU failed', unit_id: u.unit_id, err });
      }
      ctx.progress(i + 1, units.length);
    }
    return summary;
  }
}
