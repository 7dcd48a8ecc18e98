import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, Public, PlatformErrors } from '../../../platform/http';
import { OuScoped, tenantKey } from '../../../platform/tenancy';
import { ScoreReader } from '../../scoring';
import {
  LeadWhyDto,
  ScoreExplainQueryDto,
  ScoreExplanationDto,
  SharedExplanationDto,
  ShareLinkDto,
  WHY_MAX_LEADS,
  WhyBatchDto,
  WhyBatchQueryDto,
} from './lead-explain.dto';
import { LeadExplainService } from './lead-explain.service';
import { ShareLinksService } from './share-links.service';
import { LeadErrors } from '../leads.errors';

/** Score explanations, "Why" summaries and share links of leads in the active OU. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class LeadExplainController {
  constructor(
    private readonly reader: ScoreReader,
    private readonly explain: LeadExplainService,
    private readonly shares: ShareLinksService,
  ) {}

  @Get('lead/:leadID/score-explain')
  @ApiOperation({
    operationId: 'getLeadScoreExplanation',
    summary: 'Get score explanation',
    description:
      'Top drivers (one per rule that scored in the window, with the rule’s filters in words), the current rule-weight snapshot of active rulesets, surge boosts ' +
      '(the points surge session multipliers added), half-life decay of the window’s points, inorganic (velocity-suppressed) events, and the score reset. ' +
      'Window: the last `hours` hours (default 24). 404 when the lead is not in the active OU.',
  })
  @ApiParam({ name: 'leadID', description: 'Public lead id' })
  @ApiOkResponse({ type: ScoreExplanationDto })
  @ApiErrors(400, 401, 404)
  async scoreExplain(@Param('leadID') leadId: string, @Query() q: ScoreExplainQueryDto): Promise<ScoreExplanationDto> {
    return this.explain.explain(await this.reader.lead(leadId), q.hours ?? 24);
  }

  @Get('leads/why')
  @ApiOperation({
    operationId: 'getLeadsWhyBatch',
    summary: 'Batch plain-language scoring summaries for multiple leads (OU-scoped)',
    description:
      `One "Why" line per lead for up to ${WHY_MAX_LEADS} leads (duplicates removed) in at most 8 database queries whatever their number. ` +
      'Ids not in the active OU are listed in `missing` without revealing whether they exist elsewhere. An empty `lead_ids` answers empty maps. ' +
      'Hard disqualification does not exist yet, so no lead short-circuits to a disqualification phrase.',
  })
  @ApiOkResponse({ type: WhyBatchDto })
  @ApiErrors(400, 401)
  async whyBatch(@Query() q: WhyBatchQueryDto): Promise<WhyBatchDto> {
    const ids = [
      ...new Set(
        (q.lead_ids ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    if (ids.length > WHY_MAX_LEADS) {
      throw PlatformErrors.error('validation_failed', `lead_ids: at most ${WHY_MAX_LEADS} distinct ids`, [
        { field: 'lead_ids', reason: `at most ${WHY_MAX_LEADS} distinct ids` },
      ]);
    }
    const { org_id, unit_id } = tenantKey();
    const { found, missing } = await this.explain.whyMany(org_id, unit_id, ids);
    return { summaries: Object.fromEntries(found.map((w) => [w.lead_id, w.summary])), missing };
  }

  @Get('leads/:leadID/why')
  @ApiOperation({
    operationId: 'getLeadWhy',
    summary: 'Get ranked scoring factors and plain-language summary for a single lead (OU-scoped)',
    description:
      'Engagement factors (one per event type, worth its current decayed points in the ruleset where it weighs most) ranked by absolute points, and the "Why" line ' +
      '("Hot intent: {event} {n} times this week", "Recent: {event} {age} ago"). Profile and account factors and hard disqualification do not exist yet: ' +
      '`disqualified` is always false and `disqualification` null.',
  })
  @ApiParam({ name: 'leadID', description: 'Public lead id' })
  @ApiOkResponse({ type: LeadWhyDto })
  @ApiErrors(400, 401, 404)
  async why(@Param('leadID') leadId: string): Promise<LeadWhyDto> {
    const lead = await this.reader.lead(leadId);
    const { found } = await this.explain.whyMany(lead.org_id, lead.unit_id, [lead.lead_id]);
    if (!found.length) throw LeadErrors.notFound('lead_not_found', 'lead');
    return found[0];
  }

  @Post('leads/:id/share-explain')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createLeadShareExplain',
    summary: 'Create a shareable score explanation link',
    description:
      'A read-only link to the lead’s score explanation (last 24 hours) as it is now, valid 7 days, readable without a credential at GET /public/score-explain/{token}. ' +
      'The token carries 256 random bits and is shown once; only its hash is stored. No body. 404 when the lead is not in the active OU.',
  })
  @ApiParam({ name: 'id', description: 'Public lead id' })
  @ApiCreatedResponse({ type: ShareLinkDto })
  @ApiErrors(400, 401, 403, 404)
  share(@Param('id') leadId: string): Promise<ShareLinkDto> {
    return this.shares.create(leadId);
  }
}

/** GET /public/score-explain/{token}: no credential. */
@ApiTags('Public')
@Controller('public')
export class PublicExplainController {
  constructor(private readonly shares: ShareLinksService) {}

  @Get('score-explain/:token')
  @Public()
  @ApiOperation({
    operationId: 'getSharedScoreExplanation',
    summary: 'Retrieve a shared score explanation',
    description:
      'No authentication. The explanation as it was when the link was created. 404 for an unknown token, 410 once the link expired (7 days after creation).',
  })
  @ApiParam({ name: 'token', description: 'Share token returned by POST /leads/{id}/share-explain' })
  @ApiOkResponse({ type: SharedExplanationDto })
  @ApiErrors(404, 410)
  read(@Param('token') token: string): Promise<SharedExplanationDto> {
    return this.shares.read(token);
  }
}
