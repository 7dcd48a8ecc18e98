import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Type } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { ApiErrors } from '../../../platform/http';
import { currentUnit, OuScoped } from '../../../platform/tenancy';
import { Dimension, FitReads } from '../../scoring';
import { CalibrationService } from '../application/calibration.service';
import { ConversionDefinitions } from '../application/conversion-definitions.service';
import {
  ApplyCalibrationDto,
  CalibrationQueryDto,
  ConversionDefinitionDto,
  ConversionDefinitionStateDto,
  PutConversionDefinitionDto,
  RuleCalibrationDto,
  RulesetCalibrationsDto,
} from './calibration.dto';

/** CAL-1/2: the active OU's conversion definition. */
@ApiTags('Settings')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('settings/ou/conversion-definition')
export class ConversionDefinitionController {
  constructor(
    private readonly definitions: ConversionDefinitions,
    private readonly calibration: CalibrationService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getConversionDefinition',
    summary: 'Get conversion definition',
    description:
      "Returns the active OU's conversion definition (null when none), cold-start calibration state and, when a HubSpot connection exists with a " +
      'recorded sync time, HubSpot sync freshness (the key is omitted otherwise). cold_start_state.eligible is true when conversions_observed >= 30 ' +
      '(conversions among the leads scored in the lookback window).',
  })
  @ApiOkResponse({ type: ConversionDefinitionStateDto })
  @ApiErrors(400, 401)
  get(): Promise<ConversionDefinitionStateDto> {
    return this.calibration.definitionState();
  }

  @Put()
  @ApiOperation({
    operationId: 'putConversionDefinition',
    summary: 'Create or replace conversion definition',
    description:
      "Creates or replaces the active OU's conversion definition (one per OU). conversion_type: closed_won, deal_stage_reached, event_type_match, " +
      'engagement_persistence or manual_label (sales_disposition is refused). deal_stages is required for the deal types and checked against the ' +
      'synced HubSpot pipeline stages when any exist; event_type_id (the event type name) is required for event_type_match and must have been seen ' +
      'in the organization; engagement_persistence_days 7–60 (default 14); lookback_days 30–365 (default 90). manual_label counts leads whose ' +
      'attribute `converted` is true.',
  })
  @ApiOkResponse({ type: ConversionDefinitionDto })
  @ApiErrors(400, 401, 403)
  put(@Body() body: PutConversionDefinitionDto): Promise<ConversionDefinitionDto> {
    return this.definitions.put(currentUnit(), body);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteConversionDefinition',
    summary: 'Delete conversion definition',
    description:
      "Removes the active OU's conversion definition. 404 rule_not_found when none was configured. Stored calibration runs stay (listed by the rulesets).",
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(401, 403, 404)
  remove(): Promise<void> {
    return this.definitions.remove(currentUnit());
  }
}

const TAGS: Record<Dimension, string> = { engagement: 'Engagement', profile: 'Profile', account: 'Account', deal: 'Deal' };
const cap = (d: string) => d[0].toUpperCase() + d.slice(1);

const STATES =
  'States: no_conversion_definition (the OU has none); insufficient_cohort (fewer than 50 leads scored in the lookback window); never_computed ' +
  '(no stored calibration and no force=1, or the rule had no activity in the window); ready (a result, possibly stale: computed more than 14 days ago). ';
const FORMULAS =
  'baseline_cr = conversions / cohort; rule_cr = conversions among the rule’s leads / sample_size; raw_lift = rule_cr / baseline_cr (0 when the ' +
  'baseline is 0); shrunk_lift = (n × raw_lift + 30) / (n + 30); confidence insufficient (n < 30 or < 5 conversions), low (< 100), medium ' +
  '(< 300), high; suggested_weight = round(current × shrunk_lift), null when insufficient; co-occurrence at ≥ 70 % overlap of the smaller rule.';

/** CAL-3..6 routes of one dimension (the four variants share semantics and code). */
function calibrationController(dimension: Dimension): Type<unknown> {
  const D = cap(dimension);
  const abmNote = dimension === 'account' ? ' 403 abm_disabled unless the organization has ABM on (scoring settings abm_enabled).' : '';

  @ApiTags(TAGS[dimension])
  @ApiBearerAuth('bearerAuth')
  @ApiBasicAuth('basicAuth')
  @OuScoped()
  @Controller(`${dimension}-scoring`)
  class DimensionCalibrationController {
    constructor(
      readonly calibration: CalibrationService,
      readonly fit: FitReads,
    ) {}

    /** ABM-1: account rules (like their rulesets) only while the organization has ABM on: 403 abm_disabled. */
    async abm(): Promise<void> {
      if (dimension === 'account') await this.fit.assertAbmEnabled();
    }

    @Get('rulesets/:rulesetId/rules/:ruleId/calibration')
    @ApiOperation({
      operationId: `get${D}RuleCalibration`,
      summary: `Get per-rule calibration (${dimension})`,
      description: `Returns the cached or freshly-computed calibration lift estimate for a single ${dimension} scoring rule. ?force=1 recomputes every rule of the OU and persists the result before answering. ${STATES}${FORMULAS}${abmNote}`,
    })
    @ApiOkResponse({ type: RuleCalibrationDto })
    @ApiErrors(...(dimension === 'account' ? [400, 401, 403, 404] : [400, 401, 404]))
    async get(@Param('rulesetId') rulesetId: string, @Param('ruleId') ruleId: string, @Query() q: CalibrationQueryDto): Promise<RuleCalibrationDto> {
      await this.abm();
      return this.calibration.ruleCalibration(dimension, rulesetId, ruleId, q.force === '1' || q.force === 'true');
    }

    @Get('rulesets/:rulesetId/calibrations')
    @ApiOperation({
      operationId: `list${D}RulesetCalibrations`,
      summary: `List ruleset calibrations (${dimension})`,
      description:
        `Returns the stored calibration runs of the ${dimension} ruleset (newest first, the last 12), each with its rules joined with their current name and weight. ` +
        'conversion_definition_summary is present when the OU has a conversion definition; runs is empty when nothing was computed yet.' +
        abmNote,
    })
    @ApiOkResponse({ type: RulesetCalibrationsDto })
    @ApiErrors(...(dimension === 'account' ? [401, 403, 404] : [401, 404]))
    async list(@Param('rulesetId') rulesetId: string): Promise<RulesetCalibrationsDto> {
      await this.abm();
      return this.calibration.rulesetCalibrations(dimension, rulesetId);
    }

    @Post('rules/:ruleId/calibration/apply')
    @HttpCode(200)
    @ApiOperation({
      operationId: `apply${D}RuleCalibration`,
      summary: `Apply calibration to rule (${dimension})`,
      description:
        `Applies the newest stored calibration’s suggested weight to the ${dimension} rule through the ruleset (later scoring uses it), writing a fully attributed audit entry ` +
        'in the same transaction. 404 rule_not_found; 400 no_conversion_definition; 400 never_computed (call GET …/calibration?force=1 first); ' +
        '409 stale_calibration (computed more than 14 days ago); 400 insufficient_sample (no suggested weight).' +
        abmNote,
    })
    @ApiOkResponse({ type: ApplyCalibrationDto })
    @ApiErrors(400, 401, 403, 404, 409)
    async apply(@Param('ruleId') ruleId: string, @Req() req: Request): Promise<ApplyCalibrationDto> {
      await this.abm();
      return this.calibration.apply(dimension, ruleId, { ip: req.ip ?? null, path: req.url.split('?')[0] });
    }
  }
  Object.defineProperty(DimensionCalibrationController, 'name', { value: `${D}CalibrationController` });
  return DimensionCalibrationController;
}

export const CalibrationControllers = (['engagement', 'profile', 'account', 'deal'] as const).map(calibrationController);
