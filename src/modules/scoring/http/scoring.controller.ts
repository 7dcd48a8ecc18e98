import { InjectQueue } from '@nestjs/bull';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { AppError } from '../../../platform/http/app-error';
import { ApiErrors } from '../../../platform/http/error-response.dto';
import { QueueName } from '../../../platform/queues/queue-names';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { OuScoped, ViewerMayWrite } from '../../../platform/tenancy/tenancy.decorators';
import { tenantKey } from '../../../platform/tenancy/tenant-scope';
import { Rule } from '../domain/ruleset';
import { rulesetScore } from '../domain/score-ruleset';
import { roundScore } from '../domain/score-rounding';
import { contributionsUnder, StoredLeadEvent } from '../rescore.service';
import { RESCORE_RULESET, REFRESH_ORG_SCORES, RescoreJobData } from '../rescore.processor';
import { ScoreReader } from '../score-reader.service';
import { ScoringSetupService } from '../setup/scoring-setup.service';
import {
  DIMENSIONS,
  EngagementTestDto,
  EngagementTestResultDto,
  LeadScoreDto,
  ScoreNowDto,
  ScoringJobDto,
  ScoringSettingsDto,
  UpdateScoringSettingsDto,
} from './scoring.dto';

/** GET /score/{leadID}: a lead's current engagement score. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class ScoresController {
  constructor(private readonly reader: ScoreReader) {}

  @Get('score/:leadID')
  @ApiOperation({
    operationId: 'getLeadScore',
    summary: 'Get lead score (OU-scoped)',
    description: 'Without `ruleset` the highest score across the active engagement rulesets of the OU; with `ruleset` (id or name) that ruleset’s score. Exact as of now (half-life decay applied at read time), rounded half up.',
  })
  @ApiQuery({ name: 'ruleset', required: false, description: 'Ruleset id or name' })
  @ApiOkResponse({ type: LeadScoreDto })
  @ApiErrors(400, 401, 404)
  async score(@Param('leadID') leadId: string, @Query('ruleset') ruleset?: string): Promise<LeadScoreDto> {
    const lead = await this.reader.lead(leadId);
    const scores = await this.reader.scores(lead);
    const all = Object.fromEntries(scores.map((s) => [s.ruleset_id, roundScore(s.score)]));
    if (ruleset) {
      const hit = scores.find((s) => s.ruleset_id === ruleset) ?? scores.find((s) => s.name === ruleset);
      if (!hit) throw AppError.notFound('ruleset', 'ruleset_not_found');
      return { lead_id: lead.lead_id, score: roundScore(hit.score), ruleset_id: hit.ruleset_id, scores: all, engagement_scores: all, profile_scores: {} };
    }
    const best = scores.filter((s) => s.active).sort((a, b) => b.score - a.score)[0];
    // LEAD-15: without a selector, the highest score across the OU's active engagement rulesets (0 when none is active).
    return { lead_id: lead.lead_id, score: best ? roundScore(best.score) : 0, ruleset_id: best?.ruleset_id ?? null, scores: all, engagement_scores: all, profile_scores: {} };
  }
}

/** GET/PUT /scoring/settings (the catalog files them under Levels). */
@ApiTags('Levels')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('scoring')
export class ScoringSettingsController {
  constructor(private readonly ds: DataSource, private readonly clock: Clock, @InjectQueue(QueueName.Rescore) private readonly queue: Queue) {}

  @Get('settings')
  @ApiOperation({ operationId: 'getScoringSettings', summary: 'Get scoring settings', description: 'Organization-wide toggles plus the session idle timeout of the active OU.' })
  @ApiOkResponse({ type: ScoringSettingsDto })
  @ApiErrors(400, 401)
  async get(): Promise<ScoringSettingsDto> {
    const { org_id, unit_id } = tenantKey();
    const [row] = await this.ds.query(
      `SELECT (SELECT allow_negative_scores FROM scoring_settings WHERE org_id = $1) AS allow_negative_scores,
              (SELECT abm_enabled FROM scoring_settings WHERE org_id = $1) AS abm_enabled,
              (SELECT session_timeout_minutes FROM unit_scoring_settings WHERE unit_id = $2) AS session_timeout_minutes`,
      [org_id, unit_id],
    );
    return { allow_negative_scores: row.allow_negative_scores ?? false, abm_enabled: row.abm_enabled ?? false, session_timeout_minutes: row.session_timeout_minutes ?? 30 };
  }

  @Put('settings')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'updateScoringSettings',
    summary: 'Update scoring settings',
    description: 'Partial: omitted fields stay. The organization-wide toggles need an organization admin (403 otherwise). Changing allow_negative_scores re-floors every stored lead score of the organization in the background.',
  })
  @ApiNoContentResponse({ description: 'Saved' })
  @ApiErrors(400, 401, 403)
  async put(@Body() body: UpdateScoringSettingsDto): Promise<void> {
    const { org_id, unit_id } = tenantKey();
    const now = this.clock.now();
    const orgWide = body.allow_negative_scores !== undefined || body.abm_enabled !== undefined;
    if (orgWide && RequestContext.principal().orgRole !== 'admin') {
      throw AppError.forbidden('admin_required', 'allow_negative_scores and abm_enabled are organization-wide: an organization admin may change them');
    }
    let floorChanged = false;
    await this.ds.transaction(async (m) => {
      if (orgWide) {
        const [before] = await m.query(`SELECT allow_negative_scores FROM scoring_settings WHERE org_id = $1`, [org_id]);
        await m.query(
          `INSERT INTO scoring_settings (org_id, allow_negative_scores, abm_enabled, updated_at) VALUES ($1, coalesce($2, false), coalesce($3, false), $4)
           ON CONFLICT (org_id) DO UPDATE SET allow_negative_scores = coalesce($2, scoring_settings.allow_negative_scores),
                  abm_enabled = coalesce($3, scoring_settings.abm_enabled), updated_at = $4`,
          [org_id, body.allow_negative_scores ?? null, body.abm_enabled ?? null, now],
        );
        floorChanged = body.allow_negative_scores !== undefined && body.allow_negative_scores !== (before?.allow_negative_scores ?? false);
      }
      if (body.session_timeout_minutes !== undefined) {
        await m.query(
          `INSERT INTO unit_scoring_settings (unit_id, org_id, session_timeout_minutes, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (unit_id) DO UPDATE SET session_timeout_minutes = $3, updated_at = $4`,
          [unit_id, org_id, body.session_timeout_minutes, now],
        );
      }
    });
    if (floorChanged) await this.queue.add(REFRESH_ORG_SCORES, { org_id } satisfies Partial<RescoreJobData>);
    const changed = Object.entries(body).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(', ');
    RequestContext.describe({ entityType: 'scoring_settings', entityId: orgWide ? org_id : unit_id, summary: `updated scoring settings (${changed || 'nothing'})` });
  }
}

/** Dry run and on-demand rescoring of engagement rulesets. */
@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class EngagementScoringController {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly setups: ScoringSetupService,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Rescore) private readonly queue: Queue,
  ) {}

  @Post('engagement-scoring/test')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'testEngagementRule',
    summary: 'Test an engagement scoring rule against a lead (dry run)',
    description:
      'Scores the lead’s stored events as if `rule` were saved in the ruleset (default: the primary; `rule.rule_id` replaces that rule), through the same scoring code as the live pipeline. Nothing is persisted.',
  })
  @ApiOkResponse({ type: EngagementTestResultDto })
  @ApiErrors(400, 401, 404)
  async test(@Body() body: EngagementTestDto): Promise<EngagementTestResultDto> {
    const lead = await this.reader.lead(body.lead_id);
    const setup = await this.setups.load(lead.org_id, lead.unit_id);
    if (body.ruleset_id && body.rule.ruleset_id && body.ruleset_id !== body.rule.ruleset_id) {
      throw AppError.badRequest('validation_failed', 'rule.ruleset_id: must equal ruleset_id when both are given', [{ field: 'rule.ruleset_id', reason: 'must equal ruleset_id when both are given' }]);
    }
    let rulesetId = body.ruleset_id ?? body.rule.ruleset_id;
    if (!rulesetId) {
      const [primary] = await this.ds.query(`SELECT id FROM rulesets WHERE unit_id = $1 AND dimension = 'engagement' AND is_primary`, [lead.unit_id]);
      if (!primary) throw AppError.notFound('primary engagement ruleset', 'ruleset_not_found');
      rulesetId = primary.id as string;
    }
    const target = setup.rulesets.find((r) => r.id === rulesetId);
    if (!target) throw AppError.notFound('ruleset', 'ruleset_not_found');
    const existing = body.rule.rule_id ? target.rules.find((r) => r.id === body.rule.rule_id) : undefined;
    if (body.rule.rule_id && !existing) throw AppError.notFound('rule', 'rule_not_found');
    const candidate: Rule = {
      id: existing?.id ?? 'dry-run-rule',
      event_type: body.rule.event_type,
      weight: body.rule.weight,
      half_life_days: body.rule.half_life_days ?? null,
      active: body.rule.active ?? true,
      start_at: body.rule.start_at ? new Date(body.rule.start_at) : null,
      end_at: body.rule.end_at ? new Date(body.rule.end_at) : null,
      priority: existing?.priority ?? Math.max(-1, ...target.rules.map((r) => r.priority)) + 1,
      filters: (body.rule.filters ?? []).map((c) => ({ key: c.key, operator: c.operator, ...(c.value !== undefined ? { value: c.value } : {}) })),
    };
    const modified = { ...target, rules: [...target.rules.filter((r) => r.id !== candidate.id), candidate] };
    const events: StoredLeadEvent[] = (
      await this.ds.query(
        `SELECT event_id, lead_ref, event_type, event_type_key, occurred_at, metadata, suppression FROM lead_events WHERE lead_ref = $1 ORDER BY occurred_at DESC, event_id DESC`,
        [lead.id],
      )
    ).map((e: StoredLeadEvent) => ({ ...e, occurred_at: new Date(e.occurred_at) }));
    const multipliers = new Map<string, number>(
      (await this.ds.query(`SELECT event_id, multiplier FROM event_scores WHERE lead_ref = $1 AND ruleset_id = $2`, [lead.id, target.id])).map((r: any) => [r.event_id, Number(r.multiplier)]),
    );
    const now = this.clock.now();
    const projected = contributionsUnder(modified, events, setup, multipliers);
    const byId = new Map(events.map((e) => [e.event_id, e]));
    const contributions = [...projected].flatMap(([id, c]) => (c ? [{ ...c, occurred_at: byId.get(id)!.occurred_at }] : []));
    const resetAt = lead.score_reset_at ? new Date(lead.score_reset_at) : null;
    const projectedScore = rulesetScore(contributions, now, { allowNegative: setup.allowNegative, resetAt });
    const current = (await this.reader.scores(lead, now)).find((s) => s.ruleset_id === target.id)?.score ?? 0;
    const matching = events.filter((e) => projected.get(e.event_id)?.rule_id === candidate.id);
    return {
      matches: matching.length > 0,
      ruleset_id: target.id,
      current_score: roundScore(current),
      projected_score: roundScore(projectedScore),
      matching_event_count: matching.length,
      matching_events: matching.slice(0, 100).map((e) => {
        const c = projected.get(e.event_id)!;
        return {
          event_id: e.event_id,
          event_type: e.event_type,
          timestamp: e.occurred_at.toISOString(),
          points: Math.round(rulesetScore([{ ...c, occurred_at: e.occurred_at }], now, { allowNegative: true }) * 100) / 100,
        };
      }),
    };
  }

  @Post('scoring/rulesets/:dimension/:id/score-now')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'scoreRulesetNow',
    summary: 'Trigger on-demand scoring for a ruleset (OU-scoped)',
    description:
      'Queues a rescoring of every lead of the active OU against the ruleset’s current rules (engagement dimension). Progress at `status_url`. Contributions change as a rule change says; events before a lead’s score reset stay excluded.',
  })
  @ApiParam({ name: 'dimension', enum: DIMENSIONS })
  @ApiAcceptedResponse({ type: ScoreNowDto })
  @ApiErrors(400, 401, 403, 404)
  async scoreNow(@Param('dimension') dimension: string, @Param('id') id: string): Promise<ScoreNowDto> {
    if (!(DIMENSIONS as readonly string[]).includes(dimension)) {
      throw AppError.badRequest('validation_failed', `dimension must be one of ${DIMENSIONS.join(', ')}`, [{ field: 'dimension', reason: `must be one of ${DIMENSIONS.join(', ')}` }]);
    }
    if (dimension !== 'engagement') throw AppError.notFound(`${dimension} ruleset`, 'ruleset_not_found');
    const { org_id, unit_id } = tenantKey();
    const [ruleset] = await this.ds.query(`SELECT id, name FROM rulesets WHERE id = $1 AND unit_id = $2 AND org_id = $3 AND dimension = 'engagement'`, [id, unit_id, org_id]);
    if (!ruleset) throw AppError.notFound('ruleset', 'ruleset_not_found');
    const job = await this.queue.add(RESCORE_RULESET, { org_id, unit_id, ruleset_id: id, actor: RequestContext.actor() } satisfies RescoreJobData);
    RequestContext.describe({ verb: 'score_now', entityType: 'ruleset', entityId: id, summary: `queued rescoring of ruleset '${ruleset.name}'` });
    return { status: 'queued', job_id: String(job.id), ruleset_id: id, status_url: `/scoring/jobs/${job.id}` };
  }

  @Get('scoring/jobs/:jobId')
  @ApiOperation({ operationId: 'getScoringJob', summary: 'Get the status of a score-now job (OU-scoped)', description: 'Status and percent done of a rescoring queued by score-now in the active OU.' })
  @ApiOkResponse({ type: ScoringJobDto })
  @ApiErrors(400, 401, 404)
  async job(@Param('jobId') jobId: string): Promise<ScoringJobDto> {
    const job = await this.queue.getJob(jobId);
    const { unit_id } = tenantKey();
    if (!job || job.name !== RESCORE_RULESET || (job.data as RescoreJobData).unit_id !== unit_id) throw AppError.notFound('job', 'job_not_found');
    const state = await job.getState();
    const status = state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued';
    return {
      job_id: String(job.id),
      status,
      progress: typeof job.progress() === 'number' ? (job.progress() as number) : 0,
      result: (job.returnvalue as Record<string, unknown>) ?? null,
      error: job.failedReason ?? null,
    };
  }
}
