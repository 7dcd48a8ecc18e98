import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { HalfLifeSuggestionsService } from '../half-life/half-life-suggestions.service';
import { ApplyHalfLifeDto, HalfLifeApplyDto, HalfLifeSuggestionsDto, HalfLifeSuggestionsQueryDto } from './half-life-suggestions.dto';

/** HL-1..HL-3: research half-life defaults for the active OU's rules. */
@ApiTags('Scoring')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('scoring/half-life-suggestions')
export class HalfLifeSuggestionsController {
  constructor(private readonly suggestions: HalfLifeSuggestionsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getHalfLifeSuggestions',
    summary: 'Get research-backed half-life suggestions',
    description:
      'Paper §3 (B2B SaaS practitioner table) half-life defaults for the active OU’s rules. Eligible: engagement rules whose half_life_days is null and ' +
      'whose event type has a research default. Deal rules are read but never eligible; profile and account rules are current-state and not listed. ' +
      'eligible_count is the number for the "Apply research defaults" button.',
  })
  @ApiOkResponse({ type: HalfLifeSuggestionsDto })
  @ApiErrors(400, 401)
  list(@Query() _q: HalfLifeSuggestionsQueryDto): Promise<HalfLifeSuggestionsDto> {
    // engagement and all answer the same (all is an alias); the DTO refuses the other dimensions
    return this.suggestions.suggestions();
  }

  @Post('apply')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'applyHalfLifeSuggestions',
    summary: 'Bulk-apply research-backed half-life defaults',
    description:
      'Sets each listed rule’s half_life_days to its research default through the rule update command, one rule at a time: a failure does not roll back ' +
      'the others. Skip reasons: already_configured, no_research_default, dimension_not_event_sourced, not_found (unknown or another OU’s rule), ' +
      'lookup_error, update_error. Every applied rule writes its own audit entry (actor = caller) besides the request’s summary entry. Scores already ' +
      'earned are not recomputed (score-now does that).',
  })
  @ApiOkResponse({ type: HalfLifeApplyDto })
  @ApiErrors(400, 401, 403)
  apply(@Body() body: ApplyHalfLifeDto): Promise<HalfLifeApplyDto> {
    return this.suggestions.apply(body.rule_ids);
  }
}
