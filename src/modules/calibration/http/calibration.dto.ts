import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CONVERSION_TYPES } from '../domain/conversion-definition';

const CONFIDENCES = ['insufficient', 'low', 'medium', 'high'];
const STATES = ['no_conversion_definition', 'insufficient_cohort', 'never_computed', 'ready'];

export class PutConversionDefinitionDto {
  @ApiProperty({
    enum: CONVERSION_TYPES,
    example: 'closed_won',
    description: 'What counts as a conversion. sales_disposition is refused until closed-loop disposition feedback ships.',
  })
  @IsString()
  conversion_type: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['closedwon'],
    description: 'Deal stage ids; required and non-empty for closed_won / deal_stage_reached, checked against the synced HubSpot pipelines when any exist.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(200, { each: true })
  deal_stages?: string[];

  @ApiPropertyOptional({
    type: String,
    example: 'Demo Request',
    description: 'Required for event_type_match: the event type (its name, as GET /event-types lists it) seen in this organization.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  event_type_id?: string;

  @ApiPropertyOptional({ minimum: 7, maximum: 60, default: 14, description: 'engagement_persistence: days a lead keeps engaging after its first scored event' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(7)
  @Max(60)
  engagement_persistence_days?: number;

  @ApiPropertyOptional({ minimum: 30, maximum: 365, default: 90, description: 'Historical window for the cohort and conversion counting' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(30)
  @Max(365)
  lookback_days?: number;
}

export class ConversionDefinitionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty({ enum: CONVERSION_TYPES }) conversion_type: string;
  @ApiProperty({ type: String, nullable: true }) event_type_id: string | null;
  @ApiProperty({ type: [String] }) deal_stages: string[];
  @ApiProperty() engagement_persistence_days: number;
  @ApiProperty() lookback_days: number;
  @ApiProperty({ type: String, nullable: true }) created_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ColdStartStateDto {
  @ApiProperty({ description: 'conversions_observed >= conversions_required (30)' }) eligible: boolean;
  @ApiProperty({ description: 'Conversions among the leads scored in the lookback window' }) conversions_observed: number;
  @ApiProperty({ example: 30 }) conversions_required: number;
  @ApiProperty({ description: 'Leads scored (≥ 1 scored event) in the lookback window' }) leads_scored: number;
  @ApiProperty({ example: 50 }) leads_required: number;
  @ApiProperty({ enum: ['no_definition', 'collecting_data', 'warming_up', 'warm'], description: 'CAL-9 phase' }) phase: string;
}

export class HubspotSyncFreshnessDto {
  @ApiProperty({ format: 'date-time' }) last_sync_at: string;
  @ApiProperty({ description: 'Whole hours since last_sync_at' }) hours_since_sync: number;
  @ApiProperty({ description: 'More than 24 hours since the last sync' }) stale: boolean;
  @ApiProperty({ enum: ['connected', 'broken', 'disconnected'] }) status: string;
}

export class ConversionDefinitionStateDto {
  @ApiProperty({ type: ConversionDefinitionDto, nullable: true }) definition: ConversionDefinitionDto | null;
  @ApiProperty({ type: ColdStartStateDto }) cold_start_state: ColdStartStateDto;
  @ApiPropertyOptional({ type: HubspotSyncFreshnessDto, description: 'Omitted without a HubSpot connection or a recorded last_sync_at' })
  hubspot_sync_freshness?: HubspotSyncFreshnessDto;
}

export class DeletedDto {
  @ApiProperty({ example: 'deleted' }) status: string;
}

export class CalibrationQueryDto {
  @ApiPropertyOptional({ enum: ['1'], description: 'Pass force=1 to recompute every rule of the OU (and persist) before answering' })
  @IsOptional()
  @IsIn(['1', '0', 'true', 'false'])
  force?: string;
}

export class CoOccurrenceWarningDto {
  @ApiProperty() rule_id: string;
  @ApiProperty({ description: '|A ∩ B| / min(|A|, |B|) × 100 (≥ 70)' }) overlap_pct: number;
}

export class RuleCalibrationDto {
  @ApiProperty({ enum: STATES }) state: string;
  @ApiProperty({ type: String, nullable: true, example: 'set_definition_in_ou_settings' }) required_action: string | null;
  @ApiProperty() leads_scored: number;
  @ApiProperty({ example: 50 }) leads_required: number;
  @ApiProperty() rule_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ enum: ['engagement', 'profile', 'account', 'deal'] }) dimension: string;
  @ApiProperty() current_weight: number;
  @ApiProperty({ type: Number, nullable: true }) suggested_weight: number | null;
  @ApiProperty({ type: Number, nullable: true }) sample_size: number | null;
  @ApiProperty({ type: Number, nullable: true }) conversions_count: number | null;
  @ApiProperty({ type: Number, nullable: true }) baseline_cr: number | null;
  @ApiProperty({ type: Number, nullable: true }) rule_cr: number | null;
  @ApiProperty({ type: Number, nullable: true }) raw_lift: number | null;
  @ApiProperty({ type: Number, nullable: true }) shrunk_lift: number | null;
  @ApiProperty({ type: String, enum: CONFIDENCES, nullable: true }) confidence: string | null;
  @ApiProperty({ type: [CoOccurrenceWarningDto] }) co_occurrence_warnings: CoOccurrenceWarningDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) computed_at: string | null;
  @ApiProperty({ description: 'computed more than 14 days ago' }) stale: boolean;
}

export class ConversionDefinitionSummaryDto {
  @ApiProperty({ enum: CONVERSION_TYPES }) conversion_type: string;
  @ApiProperty({ type: String, nullable: true }) event_type_id: string | null;
  @ApiProperty({ type: [String] }) deal_stages: string[];
  @ApiProperty() engagement_persistence_days: number;
  @ApiProperty() lookback_days: number;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class CalibrationRunRuleDto {
  @ApiProperty() rule_id: string;
  @ApiProperty({ description: 'The rule’s current name (event type, or property condition value)' }) name: string;
  @ApiProperty({ description: 'The rule’s current weight' }) current_weight: number;
  @ApiProperty({ description: 'Its weight when the run computed' }) weight_at_run: number;
  @ApiProperty({ type: Number, nullable: true }) suggested_weight: number | null;
  @ApiProperty() sample_size: number;
  @ApiProperty() conversions_count: number;
  @ApiProperty() rule_cr: number;
  @ApiProperty() raw_lift: number;
  @ApiProperty() shrunk_lift: number;
  @ApiProperty({ enum: CONFIDENCES }) confidence: string;
  @ApiProperty({ type: [CoOccurrenceWarningDto] }) co_occurrence_warnings: CoOccurrenceWarningDto[];
}

export class CalibrationRunDto {
  @ApiProperty({ format: 'uuid' }) run_id: string;
  @ApiProperty({ format: 'date-time' }) computed_at: string;
  @ApiProperty() stale: boolean;
  @ApiProperty({ enum: ['cron', 'manual', 'force'] }) trigger: string;
  @ApiProperty({ enum: CONVERSION_TYPES }) conversion_type: string;
  @ApiProperty() lookback_days: number;
  @ApiProperty({ description: 'Leads scored in the lookback window' }) cohort_size: number;
  @ApiProperty() conversions: number;
  @ApiProperty() baseline_cr: number;
  @ApiProperty({ type: [CalibrationRunRuleDto], description: 'Rules of the ruleset that still exist, by rule id' }) rules: CalibrationRunRuleDto[];
}

export class RulesetCalibrationsDto {
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ enum: ['engagement', 'profile', 'account', 'deal'] }) dimension: string;
  @ApiPropertyOptional({ type: ConversionDefinitionSummaryDto, description: 'Only when the OU has a conversion definition' })
  conversion_definition_summary?: ConversionDefinitionSummaryDto;
  @ApiProperty({ type: [CalibrationRunDto], description: 'Newest first (at most the last 12 runs); empty when never computed' }) runs: CalibrationRunDto[];
}

export class ApplyCalibrationDto {
  @ApiProperty() prior_weight: number;
  @ApiProperty() new_weight: number;
  @ApiProperty({ description: 'Id of the audit entry written with the change' }) audit_id: string;
}
