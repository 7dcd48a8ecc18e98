import { Process, Processor } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock';
import { raw, selectRows, sql, Sql } from '../../platform/database';
import { QueueName } from '../../platform/queues';
import { JobContext, ScheduledJob } from '../../platform/scheduling';
import { orgScope } from '../../platform/tenancy';
import { Dimension, ENGAGEMENT } from './domain/dimension';
import { recomputeLeadScoresSyncingPrimary } from './persistence/lead-scores.sql';
import { PrimaryScoreFollower } from './persistence/primary-score-follower';
import { RescoreService } from './rescore.service';
import { PROFILE_REEVALUATE_UNIT, ProfileJobData, ProfileScoring } from './fit/profile-scoring.service';

export const RESCORE_RULESET = 'ruleset.score-now';
export const REFRESH_ORG_SCORES = 'scores.refresh-org';

export interface RescoreJobData {
  org_id: string;
  unit_id: string;
  ruleset_id: string;
  /** Absent on jobs queued before dimensions were named: those are engagement. */
  dimension?: Dimension;
  actor: string | null;
}

const CHUNK = 1000;

/** Refreshes materialised `lead_scores` rows (decay moves on; a floor setting changed) in chunks of leads. */
@Injectable()
export class LeadScoreRefresher {
  private readonly log = new Logger('Scores');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    @Optional() private readonly follower?: PrimaryScoreFollower,
  ) {}

  async refresh(where: Sql, label: string, progress?: (done: number) => void): Promise<number> {
    let after = '';
    let done = 0;
    for (;;) {
      const refs = (
        await selectRows<{ lead_ref: string }>(
          this.ds,
          sql`SELECT DISTINCT lead_ref FROM lead_scores WHERE ${where} AND lead_ref > ${after} ORDER BY lead_ref LIMIT ${raw(String(CHUNK))}`,
        )
      ).map((r) => r.lead_ref);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      // decay moves scores without events: what derives from the primary score (levels) follows in the same transaction
      const afterCommit = await this.ds.transaction(async (m) => {
        const { primary } = await recomputeLeadScoresSyncingPrimary(m, refs, this.clock.now());
        return primary.size && this.follower ? this.follower.follow(m, [...primary.keys()]) : null;
      });
      await afterCommit?.();
      done += refs.length;
      this.log.log({ msg: 'lead score refresh progress', what: label, leads: done });
      progress?.(done);
    }
    return done;
  }

  /** SC-4 suggested default: decaying scores are recomputed hourly (reads of one lead are always exact). */
  @ScheduledJob({ name: 'scores.refresh-decaying', cron: '7 * * * *' })
  async hourly(ctx?: JobContext): Promise<{ leads_refreshed: number }> {
    return { leads_refreshed: await this.refresh(sql`decays`, 'decaying scores', (done) => ctx?.progress(done)) };
  }
}

/** Worker side of score-now and of organization-wide score refreshes. */
@Processor(QueueName.Rescore)
export class RescoreProcessor {
  constructor(
    private readonly rescore: RescoreService,
    private readonly refresher: LeadScoreRefresher,
    private readonly profiles: ProfileScoring,
  ) {}

  /** PRF-8: every lead of an OU against its current profile rules (a ruleset or rule changed, or score-now). */
  @Process({ name: PROFILE_REEVALUATE_UNIT, concurrency: 1 })
  async reevaluateProfiles(job: Job<ProfileJobData>) {
    return this.profiles.reevaluateUnit(job.data.org_id, job.data.unit_id, async (done, total) => {
      await job.progress(total ? Math.min(100, Math.floor((done / total) * 100)) : 100);
    });
  }

  @Process({ name: RESCORE_RULESET, concurrency: 1 })
  async scoreNow(job: Job<RescoreJobData>) {
    const { org_id, unit_id, ruleset_id, actor, dimension = ENGAGEMENT } = job.data;
    // engagement is the only dimension with rulesets to rescore; another one would need its own source of events
    if (dimension !== ENGAGEMENT) throw new Error(`rescoring of ${dimension} rulesets is not wired`);
    return this.rescore.rescoreRuleset(
      org_id,
      unit_id,
      ruleset_id,
      String(job.id),
      { org_id, unit_id, actor, correlation_id: `score-now-${job.id}` },
      async (done, total) => {
        await job.progress(total ? Math.floor((done / total) * 100) : 100);
      },
    );
  }

  @Process({ name: REFRESH_ORG_SCORES, concurrency: 1 })
  async refreshOrg(job: Job<{ org_id: string }>) {
    return { leads: await this.refresher.refresh(orgScope(undefined, job.data.org_id), `organization ${job.data.org_id}`) };
  }
}
