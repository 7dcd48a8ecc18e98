import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { LeadScoreQuery } from '../queries/lead-score.query';
import { LeadScoreDto } from './scoring.dto';

/** GET /score/{leadID}: a lead's current engagement score. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class ScoresController {
  constructor(private readonly leadScore: LeadScoreQuery) {}

  @Get('score/:leadID')
  @ApiOperation({
    operationId: 'getLeadScore',
    summary: 'Get lead score (OU-scoped)',
    description:
      'Without `ruleset` the highest score across the active engagement rulesets of the OU; with `ruleset` (id or name) that ruleset’s score. Exact as of now (half-life decay applied at read time), rounded half up.',
  })
  @ApiQuery({ name: 'ruleset', required: false, description: 'Ruleset id or name' })
  @ApiOkResponse({ type: LeadScoreDto })
  @ApiErrors(400, 401, 404)
  score(@Param('leadID') leadId: string, @Query('ruleset') ruleset?: string): Promise<LeadScoreDto> {
    return this.leadScore.score(leadId, ruleset);
  }
}
