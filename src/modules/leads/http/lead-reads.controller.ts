import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors, isoOrNull, pageOf, pageRequest, sendCsv } from '../../../platform/http';
import { OuScoped, ViewerMayWrite, tenantKey } from '../../../platform/tenancy';
import { roundScore, ScoreReader } from '../../scoring';
import { ExportRow, LeadReadsService } from '../lead-reads.service';
import { LeadBatchScores } from '../reads/lead-batch-scores.service';
import {
  BatchScoreItemDto,
  BatchScoresDto,
  LeadFilterQueryDto,
  LeadListDto,
  LeadListQueryDto,
  LeadScoreStateDto,
  LeadSearchItemDto,
  LeadSearchQueryDto,
} from './lead-reads.dto';

export const LEAD_EXPORT_COLUMNS = [
  'lead_id',
  'alias',
  'engagement_score',
  'profile_score',
  'engagement_level',
  'profile_level',
  'account',
  'owner',
  'last_activity',
  'created_at',
];

/** Lead reads at scale (OU-scoped): list, CSV export, search, batch and single score reads. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadReadsController {
  constructor(
    private readonly leads: LeadReadsService,
    private readonly batchScores: LeadBatchScores,
    private readonly reader: ScoreReader,
  ) {}

  @Get('leads')
  @ApiOperation({
    operationId: 'listLeads',
    summary: 'List lead scores (OU-scoped)',
    description:
      'Leads of the active OU with their engagement scores, highest `score` first unless `sort_by`/`sort_order` say otherwise (ties by lead). ' +
      '`score` is the primary engagement ruleset’s score (0 when the OU has no primary) as materialised by the last recompute of the lead — ' +
      'on every scored event, and hourly for decaying scores — so it may trail the exact value of `GET /score/{leadID}` by up to an hour of decay. ' +
      '`min_score`/`max_score` compare that rounded score. `range` filters `created_at` (UTC days). Disqualified leads (a matching hard-DQ rule, PRF-9) are left out ' +
      'unless `include_disqualified=true`; `disqualification` records the rule, time and reason. `profile_score` (and `profile_scores` by the primary profile ruleset) ' +
      'is the fit score on the lead’s current attributes, `profile_level` its level; `profile_level` filters by its name. ' +
      '`engagement_level` is the level whose range contains the rounded `score`, kept with it; `engagement_level` filters by its name. ' +
      '`total` is exact on the last page and whenever PostgreSQL expects at most 10,000 matches; otherwise it is PostgreSQL’s estimate and `total_exact` is false (an exact count would scan every match).',
  })
  @ApiOkResponse({ type: LeadListDto })
  @ApiErrors(400, 401)
  async list(@Query() q: LeadListQueryDto): Promise<LeadListDto> {
    const page = pageRequest(q);
    const { leads, total, total_exact } = await this.leads.list(q, page);
    return { ...pageOf('leads', leads, total, page), total_exact };
  }

  @Get('leads/export')
  @ApiOperation({
    operationId: 'exportLeads',
    summary: 'Export leads as CSV (OU-scoped)',
    description:
      'Every lead matching the `GET /leads` filters, in its order, streamed as a CSV attachment with the columns ' +
      `${LEAD_EXPORT_COLUMNS.join(', ')}. alias = the first email alias, else any alias; owner = owner name (else id); account = account id. ` +
      'profile_score is the primary profile ruleset’s score on the lead’s current attributes; engagement_level and profile_level are empty for a lead in no level. ' +
      'Disqualified leads are left out unless include_disqualified=true.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'CSV',
    content: {
      'text/csv': {
        schema: {
          type: 'string',
          example: `${LEAD_EXPORT_COLUMNS.join(',')}\nld_123,ada@example.com,42,,Warm,,,Ada,2026-06-15T11:00:00.000Z,2026-06-01T08:00:00.000Z\n`,
        },
      },
    },
  })
  @ApiErrors(400, 401)
  async export(@Query() q: LeadFilterQueryDto, @Res() res: Response): Promise<void> {
    const { unit_id } = tenantKey();
    const rows = async function* (chunks: AsyncGenerator<ExportRow[]>) {
      for await (const chunk of chunks)
        yield chunk.map((r) => [
          r.lead_id,
          r.alias,
          r.engagement_score,
          r.profile_score,
          r.engagement_level,
          r.profile_level,
          r.account,
          r.owner,
          r.last_activity,
          r.created_at,
        ]);
    };
    await sendCsv(res, `leads-${unit_id}.csv`, [...LEAD_EXPORT_COLUMNS], rows(this.leads.export(q)));
  }

  @Get('leads/search')
  @ApiOperation({
    operationId: 'searchLeads',
    summary: 'Search leads by ID or alias (OU-scoped)',
    description:
      'Up to 10 leads of the active OU whose lead id starts with `q` (listed first) or that have an alias value (email, phone, …) starting with `q` (emails compared lower-cased). `q` needs at least 2 characters (400 otherwise).',
  })
  @ApiOkResponse({ type: [LeadSearchItemDto] })
  @ApiErrors(400, 401)
  async search(@Query() q: LeadSearchQueryDto): Promise<LeadSearchItemDto[]> {
    return this.leads.search(q.q);
  }

  @Post('leads/scores')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiOperation({
    operationId: 'batchLeadScores',
    summary: 'Batch lead scores for visible leads (OU-scoped, engagement primary ruleset by default)',
    description:
      'Exact scores as of now (decay applied at read time), rounded, for the listed leads of the active OU, in request order without repeats. ' +
      '`ruleset` = `primary` (default) or an engagement ruleset id or name of the active OU (404 when none matches). If the OU has no primary ruleset, every score is 0. ' +
      'Ids that name no lead of the active OU (another OU’s included) are left out of the answer. A read: nothing is changed or audited.',
  })
  @ApiOkResponse({ type: [BatchScoreItemDto] })
  @ApiErrors(400, 401, 404)
  async scores(@Body() body: BatchScoresDto): Promise<BatchScoreItemDto[]> {
    return this.batchScores.scores(body.lead_ids, body.ruleset ?? 'primary');
  }

  @Get('leads/:leadID/score')
  @ApiOperation({
    operationId: 'getLeadScoreWithDisqualification',
    summary: 'Get lead score including disqualification state (OU-scoped)',
    description:
      'The score of `GET /score/{leadID}` (highest across the active engagement rulesets of the OU, exact as of now, rounded) with the disqualification state. ' +
      'A lead matched by a hard-DQ rule is `disqualified`, with the rule, time and reason; `profile_score`/`profile_level` are its fit score and level.',
  })
  @ApiOkResponse({ type: LeadScoreStateDto })
  @ApiErrors(400, 401, 404)
  async score(@Param('leadID') leadId: string): Promise<LeadScoreStateDto> {
    const lead = await this.reader.lead(leadId);
    const best = (await this.reader.scores(lead)).filter((s) => s.active).sort((a, b) => b.score - a.score)[0];
    const fit = await this.leads.fitState(lead.id);
    return {
      lead_id: lead.lead_id,
      score: best ? roundScore(best.score) : 0,
      ruleset_id: best?.ruleset_id ?? null,
      disqualified: fit.disqualified,
      disqualified_by_rule_id: fit.disqualification?.rule_id ?? null,
      disqualified_at: isoOrNull(fit.disqualified_at),
      disqualified_reason: fit.disqualification?.reason ?? null,
      profile_score: roundScore(Number(fit.profile_score)),
      profile_level: fit.profile_level,
    };
  }
}
