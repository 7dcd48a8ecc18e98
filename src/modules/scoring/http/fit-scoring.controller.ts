import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped, ViewerMayWrite } from '../../../platform/tenancy';
import { FitReads } from '../fit/fit-reads.service';
import { AttributeTestResultDto, DealTestDto, DqMatchCountDto, ProfileTestDto } from './attribute-rule.dto';

/** Dry runs of the attribute dimensions (profile, deal) and the hard-DQ match counts. */
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class FitScoringController {
  constructor(private readonly fit: FitReads) {}

  @Post('profile-scoring/test')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiTags('Profile')
  @ApiOperation({
    operationId: 'testProfileRule',
    summary: 'Test a profile scoring rule against a lead (dry run)',
    description:
      'Evaluates the rule on the lead’s current metadata through the same code as the live profile score: `current_score` is the stored profile score, ' +
      '`projected_score` the score with the rule saved in the ruleset (default: the primary profile ruleset; `rule.rule_id` replaces that rule). Nothing is persisted.',
  })
  @ApiOkResponse({ type: AttributeTestResultDto })
  @ApiErrors(400, 401, 404)
  profileTest(@Body() body: ProfileTestDto): Promise<AttributeTestResultDto> {
    return this.fit.profileTest(body);
  }

  @Post('deal-scoring/test')
  @HttpCode(200)
  @ViewerMayWrite()
  @ApiTags('Deals')
  @ApiOperation({
    operationId: 'testDealRule',
    summary: 'Test a deal scoring rule against a deal (dry run)',
    description:
      'Evaluates the rule on the deal’s properties with `stage`, `amount`, `account_id` and `name` (DEAL-1), through the same evaluator as profile and account rules. Nothing is persisted.',
  })
  @ApiOkResponse({ type: AttributeTestResultDto })
  @ApiErrors(400, 401, 404)
  dealTest(@Body() body: DealTestDto): Promise<AttributeTestResultDto> {
    return this.fit.dealTest(body);
  }

  @Get('scoring/disqualifications/match-counts')
  @ApiTags('Scoring')
  @ApiOperation({
    operationId: 'listDisqualificationMatchCounts',
    summary: 'List active hard-DQ rules with current match counts',
    description:
      'Every hard-disqualification rule of an enabled profile or account ruleset of the active OU, with the number of live leads it disqualifies now (rules with zero matches included), ordered by match_count desc, rule_name asc.',
  })
  @ApiOkResponse({ type: [DqMatchCountDto] })
  @ApiErrors(400, 401)
  matchCounts(): Promise<DqMatchCountDto[]> {
    return this.fit.matchCounts();
  }
}
