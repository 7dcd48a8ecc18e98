import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { QueueName } from '../../../platform/queues';
import { RequestContext, currentUnit, unitScope } from '../../../platform/tenancy';
import { isWiredDimension } from '../dimensions/dimension-sources';
import { Dimension, DIMENSIONS, isDimension } from '../domain/dimension';
import { ScoreNowDto, ScoringJobDto } from '../http/scoring.dto';
import { RESCORE_RULESET, RescoreJobData } from '../rescore.processor';
import { ScoringErrors } from '../scoring.errors';
import { ACCOUNT_REEVALUATE_UNIT, PROFILE_REEVALUATE_UNIT, ProfileScoring } from '../fit/profile-scoring.service';
import { FitReads } from '../fit/fit-reads.service';

type JobStatus = ScoringJobDto['status'];

/** The jobs `GET /scoring/jobs/{jobId}` reports on: engagement score-now, profile and account re-evaluations. */
const SCORING_JOBS = new Set([RESCORE_RULESET, PROFILE_REEVALUATE_UNIT, ACCOUNT_REEVALUATE_UNIT]);

function jobStatus(state: string): JobStatus {
  if (state === 'completed' || state === 'failed') return state;
  return state === 'active' ? 'running' : 'queued';
}

/** score-now: queues the rescoring of a ruleset's leads, and reports on the queued job. */
@Injectable()
export class ScoreNowService {
  constructor(
    private readonly ds: DataSource,
    @InjectQueue(QueueName.Rescore) private readonly queue: Queue,
    private readonly profiles: ProfileScoring,
    private readonly fit: FitReads,
  ) {}

  async scoreNow(dimension: string, rulesetId: string): Promise<ScoreNowDto> {
    const wired = this.wiredDimension(dimension);
    // ABM-1: account rulesets exist only with ABM on
    if (wired === 'account') await this.fit.assertAbmEnabled();
    const { orgId, unitId } = currentUnit();
    const ruleset = await selectOne<{ id: string; name: string }>(
      this.ds,
      sql`SELECT id, name FROM rulesets WHERE id = ${rulesetId} AND ${unitScope()} AND dimension = ${wired}`,
    );
    if (!ruleset) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
    if (wired === 'profile') {
      // profile scores derive from current attributes: every lead of the OU is re-evaluated against every profile ruleset
      const jobId = await this.profiles.queueUnit({ org_id: orgId, unit_id: unitId, ruleset_id: rulesetId, cause: 'score_now', actor: RequestContext.actor() });
      RequestContext.describe({
        verb: 'score_now',
        entityType: 'ruleset',
        entityId: rulesetId,
        summary: `queued profile re-evaluation for ruleset '${ruleset.name}'`,
      });
      return { status: 'queued', job_id: jobId, ruleset_id: rulesetId, status_url: `/scoring/jobs/${jobId}` };
    }
    if (wired === 'account') {
      // account scores derive from account metadata: every account of the OU is re-evaluated against the account rules
      const jobId = await this.profiles.queueAccounts({
        org_id: orgId,
        unit_id: unitId,
        ruleset_id: rulesetId,
        cause: 'score_now',
        actor: RequestContext.actor(),
      });
      RequestContext.describe({
        verb: 'score_now',
        entityType: 'ruleset',
        entityId: rulesetId,
        summary: `queued account re-evaluation for ruleset '${ruleset.name}'`,
      });
      return { status: 'queued', job_id: jobId, ruleset_id: rulesetId, status_url: `/scoring/jobs/${jobId}` };
    }
    const job = await this.queue.add(RESCORE_RULESET, {
      org_id: orgId,
      unit_id: unitId,
      ruleset_id: rulesetId,
      dimension: wired,
      actor: RequestContext.actor(),
    } satisfies RescoreJobData);
    RequestContext.describe({ verb: 'score_now', entityType: 'ruleset', entityId: rulesetId, summary: `queued rescoring of ruleset '${ruleset.name}'` });
    return { status: 'queued', job_id: String(job.id), ruleset_id: rulesetId, status_url: `/scoring/jobs/${job.id}` };
  }

  /** A score-now job of the active OU (404 for another OU's job or another kind of job). */
  async job(jobId: string): Promise<ScoringJobDto> {
    const job = await this.queue.getJob(jobId);
    const { unitId } = currentUnit();
    // job_not_found is shared with the lead-import module; its catalog entry is the lead's to place
    if (!job || !SCORING_JOBS.has(job.name) || (job.data as RescoreJobData).unit_id !== unitId) throw ScoringErrors.notFound('job_not_found', 'job');
    const progress = job.progress();
    return {
      job_id: String(job.id),
      status: jobStatus(await job.getState()),
      progress: typeof progress === 'number' ? progress : 0,
      result: (job.returnvalue as Record<string, unknown>) ?? null,
      error: job.failedReason ?? null,
    };
  }

  /** 400 for an unknown dimension, 404 for one that cannot be rescored (engagement, profile and account are wired). */
  private wiredDimension(dimension: string): Dimension {
    if (!isDimension(dimension)) {
      throw PlatformErrors.error('validation_failed', `dimension must be one of ${DIMENSIONS.join(', ')}`, [
        { field: 'dimension', reason: `must be one of ${DIMENSIONS.join(', ')}` },
      ]);
    }
    if (!isWiredDimension(dimension) && dimension !== 'profile' && dimension !== 'account')
      throw ScoringErrors.notFound('ruleset_not_found', `${dimension} ruleset`);
    return dimension;
  }
}
