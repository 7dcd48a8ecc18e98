import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ConditionDto } from './condition.dto';
import { DIMENSIONS } from '../domain/dimension';

export class LeadScoreDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ example: 42, description: 'The selected ruleset’s score, else the highest across the active engagement rulesets (rounded)' }) score: number;
  @ApiPropertyOptional({ nullable: true, description: 'The ruleset the score comes from' }) ruleset_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Score per engagement ruleset id (rounded)' })
  scores: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Same as `scores` (the catalog’s name for it)' })
  engagement_scores: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Always empty: profile scoring does not exist yet' })
  profile_scores: Record<string, number>;
}

export class ScoringSettingsDto {
  @ApiProperty({ description: 'Organization-wide: scores may fall below 0' }) allow_negative_scores: boolean;
  @ApiProperty({ description: 'Organization-wide: account-based marketing features' }) abm_enabled: boolean;
  @ApiProperty({ example: 30, description: 'Active OU: session idle timeout in minutes (1–1440)' }) session_timeout_minutes: number;
}

export class UpdateScoringSettingsDto {
  @ApiPropertyOptional({ description: 'Organization-wide; organization admins only' }) @IsOptional() @IsBoolean() allow_negative_scores?: boolean;
  @ApiPropertyOptional({ description: 'Organization-wide; organization admins only' }) @IsOptional() @IsBoolean() abm_enabled?: boolean;
  @ApiPropertyOptional({ minimum: 1, maximum: 1440 }) @IsOptional() @IsInt() @Min(1) @Max(1440) session_timeout_minutes?: number;
}

/** The rule under test: the same object a client sends to POST /rules (its `ruleset_id` and `icon` included). */
export class TestRuleDto {
  @ApiPropertyOptional({
    description: 'Ruleset the rule would join, as in POST /rules (same as the top-level `ruleset_id`; give one or both, equal)',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ruleset_id?: string;
  @ApiPropertyOptional({ maxLength: 64, description: 'Accepted as in POST /rules; plays no part in the dry run' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  icon?: string;
  @ApiPropertyOptional({ description: 'An existing rule this one stands in for (its current version is replaced in the dry run)' })
  @IsOptional()
  @IsString()
  rule_id?: string;
  @ApiProperty({ example: 'Page View' }) @IsString() @IsNotEmpty() @MaxLength(200) event_type: string;
  @ApiProperty({ example: 10, description: 'Whole number, positive or negative' }) @IsInt() @Min(-1_000_000) @Max(1_000_000) weight: number;
  @ApiPropertyOptional({ nullable: true, minimum: 1, maximum: 730 }) @IsOptional() @IsInt() @Min(1) @Max(730) half_life_days?: number | null;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsISO8601({ strict: true }) start_at?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsISO8601({ strict: true }) end_at?: string | null;
  @ApiPropertyOptional({ type: [ConditionDto] }) @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ConditionDto) filters?: ConditionDto[];
}

export class EngagementTestDto {
  @ApiProperty({ example: 'ld_123' }) @IsString() @IsNotEmpty() lead_id: string;
  @ApiPropertyOptional({ description: 'Ruleset the rule would join (default: the primary engagement ruleset)' }) @IsOptional() @IsString() ruleset_id?: string;
  @ApiProperty({ type: TestRuleDto }) @ValidateNested() @Type(() => TestRuleDto) rule: TestRuleDto;
}

export class MatchingEventDto {
  @ApiProperty() event_id: string;
  @ApiProperty() event_type: string;
  @ApiProperty() timestamp: string;
  @ApiProperty({ description: 'Points the rule would award the event today (decay applied)' }) points: number;
}

export class EngagementTestResultDto {
  @ApiProperty({ description: 'Whether the rule would award points to at least one of the lead’s events' }) matches: boolean;
  @ApiProperty() ruleset_id: string;
  @ApiProperty() current_score: number;
  @ApiProperty({ description: 'The ruleset score if the rule were saved and the lead rescored' }) projected_score: number;
  @ApiProperty({ description: 'Events the rule would award (first 100, newest first)', type: [MatchingEventDto] }) matching_events: MatchingEventDto[];
  @ApiProperty() matching_event_count: number;
}

export class ScoreNowDto {
  @ApiProperty({ example: 'queued' }) status: string;
  @ApiProperty() job_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ example: '/scoring/jobs/42' }) status_url: string;
}

export class ScoringJobDto {
  @ApiProperty() job_id: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status: string;
  @ApiProperty({ description: 'Percent done' }) progress: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) result: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true }) error: string | null;
}

export class DimensionParam {
  @IsIn(DIMENSIONS as unknown as string[]) dimension: string;
}
