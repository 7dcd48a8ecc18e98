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

type JobStatus = ScoringJobDto['status'];

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
  ) {}

  async scoreNow(dimension: string, rulesetId: string): Promise<ScoreNowDto> {
    const wired = this.wiredDimension(dimension);
    const { orgId, unitId } = currentUnit();
    const ruleset = await selectOne<{ id: string; name: string }>(
      this.ds,
      sql`SELECT id, name FROM rulesets WHERE id = ${rulesetId} AND ${unitScope()} AND dimension = ${wired}`,
    );
    if (!ruleset) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
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
    if (!job || job.name !== RESCORE_RULESET || (job.data as RescoreJobData).unit_id !== unitId) throw ScoringErrors.notFound('job_not_found', 'job');
    const progress = job.progress();
    return {
      job_id: String(job.id),
      status: jobStatus(await job.getState()),
      progress: typeof progress === 'number' ? progress : 0,
      result: (job.returnvalue as Record<string, unknown>) ?? null,
      error: job.failedReason ?? null,
    };
  }

  /** 400 for an unknown dimension, 404 for one that has no rulesets yet (only engagement is wired). */
  private wiredDimension(dimension: string): Dimension {
    if (!isDimension(dimension)) {
      throw PlatformErrors.error('validation_failed', `dimension must be one of ${DIMENSIONS.join(', ')}`, [
        { field: 'dimension', reason: `must be one of ${DIMENSIONS.join(', ')}` },
      ]);
    }
    if (!isWiredDimension(dimension)) throw ScoringErrors.notFound('ruleset_not_found', `${dimension} ruleset`);
    return dimension;
  }
}
