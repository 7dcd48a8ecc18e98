import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { HALF_LIFE_SKIP_REASONS, HALF_LIFE_SOURCE, HalfLifeSkipReason } from '../../scoring';

export const HALF_LIFE_DIMENSIONS = ['engagement', 'all'] as const;
export const MAX_HALF_LIFE_APPLY = 500;

export class HalfLifeSuggestionsQueryDto {
  @ApiPropertyOptional({
    enum: HALF_LIFE_DIMENSIONS,
    default: 'all',
    description: 'all is an alias for engagement; profile, account and deal are not event-sourced (400)',
  })
  @IsOptional()
  @IsIn(HALF_LIFE_DIMENSIONS, { message: 'dimension must be engagement or all (profile, account and deal rules do not decay by half-life)' })
  dimension?: string;
}

export class HalfLifeSuggestionDto {
  @ApiProperty() rule_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ enum: ['engagement', 'deal'] }) dimension: string;
  @ApiProperty({ description: 'Empty for rules that score no event type (session-based rules; profile, account and deal rules)' }) event_type: string;
  @ApiProperty({ nullable: true, type: Number }) current_half_life_days: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The research default; null when the rule is not eligible' }) suggested_half_life_days:
    number | null;
  @ApiProperty({ example: HALF_LIFE_SOURCE }) source: string;
  @ApiProperty() eligible: boolean;
  @ApiPropertyOptional({ enum: HALF_LIFE_SKIP_REASONS, description: 'Why the rule is not eligible (what apply would answer); omitted when eligible' })
  reason?: HalfLifeSkipReason;
}

export class HalfLifeSuggestionsDto {
  @ApiProperty({ description: 'Rules apply would update: the number on the "Apply research defaults" button' }) eligible_count: number;
  @ApiProperty({ description: 'Rules read but not eligible (half-life set, no research default, or a deal rule)' }) ineligible_count: number;
  @ApiProperty({ type: [HalfLifeSuggestionDto], description: 'Eligible rules first, then by event type' }) suggestions: HalfLifeSuggestionDto[];
}

export class ApplyHalfLifeDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: MAX_HALF_LIFE_APPLY, description: 'Rule IDs to apply research defaults to. Must be non-empty.' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_HALF_LIFE_APPLY)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  rule_ids: string[];
}

export class HalfLifeApplyResultDto {
  @ApiProperty() rule_id: string;
  @ApiProperty({ enum: ['applied', 'skipped'] }) status: 'applied' | 'skipped';
  @ApiPropertyOptional({ enum: HALF_LIFE_SKIP_REASONS, description: 'Only when skipped' }) reason?: HalfLifeSkipReason;
  @ApiPropertyOptional({ description: 'Only when applied: the half-life the rule now has' }) half_life_days?: number;
}

export class HalfLifeApplyDto {
  @ApiProperty() applied_count: number;
  @ApiProperty() skipped_count: number;
  @ApiProperty({ type: [HalfLifeApplyResultDto], description: 'One per distinct requested id, in request order' }) results: HalfLifeApplyResultDto[];
}
