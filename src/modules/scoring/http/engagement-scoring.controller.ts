import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped, ViewerMayWrite } from '../../../platform/tenancy';
import { DIMENSIONS } from '../domain/dimension';
import { EngagementDryRunService } from '../dry-run/engagement-dry-run.service';
import { ScoreNowService } from '../rescoring/score-now.service';
import { EngagementTestDto, EngagementTestResultDto, ScoreNowDto, ScoringJobDto } from './scoring.dto';

/** Dry run and on-demand rescoring of engagement rulesets. */
@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class EngagementScoringController {
  constructor(
    private readonly dryRun: EngagementDryRunService,
    private readonly scoring: ScoreNowService,
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
  test(@Body() body: EngagementTestDto): Promise<EngagementTestResultDto> {
    return this.dryRun.test(body);
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
  scoreNow(@Param('dimension') dimension: string, @Param('id') id: string): Promise<ScoreNowDto> {
    return this.scoring.scoreNow(dimension, id);
  }

  @Get('scoring/jobs/:jobId')
  @ApiOperation({
    operationId: 'getScoringJob',
    summary: 'Get the status of a score-now job (OU-scoped)',
    description: 'Status and percent done of a rescoring queued by score-now in the active OU.',
  })
  @ApiOkResponse({ type: ScoringJobDto })
  @ApiErrors(400, 401, 404)
  job(@Param('jobId') jobId: string): Promise<ScoringJobDto> {
    return this.scoring.job(jobId);
  }
}
