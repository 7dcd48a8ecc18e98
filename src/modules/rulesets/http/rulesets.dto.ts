import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ConditionDto, ENGAGEMENT } from '../../scoring';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateRulesetDto {
  @ApiProperty({ example: 'Q1 2025 Campaign', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiPropertyOptional({ default: 'total_score', description: 'Name of the score this ruleset keeps' })
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case identifier' })
  score_column?: string;

  @ApiPropertyOptional({ description: 'Older name of score_column (docs)' })
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case identifier' })
  score_field?: string;

  @ApiPropertyOptional({ default: false, description: "Make this the OU's primary engagement ruleset (the first one always is)" })
  @IsOptional()
  @IsBoolean()
  is_primary?: boolean;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() active?: boolean;

  @ApiPropertyOptional({ example: '2025-01-01', description: 'Scores only events on or after this UTC day' })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  @IsDateString({ strict: true })
  start_date?: string;

  @ApiPropertyOptional({ example: '2025-03-31', description: 'Scores only events up to the end of this UTC day' })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  @IsDateString({ strict: true })
  end_date?: string;

  @ApiPropertyOptional({ enum: [ENGAGEMENT], description: "Accepted for the API overview's example; only engagement rulesets live here" })
  @IsOptional()
  @IsIn([ENGAGEMENT])
  score_type?: typeof ENGAGEMENT;
}

export class RulesetDto {
  @ApiProperty({ example: 'rs_marketing' }) ruleset_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'total_score' }) score_column: string;
  @ApiProperty({ description: 'Same as score_column (older name)' }) score_field: string;
  @ApiProperty({ example: ENGAGEMENT }) dimension: string;
  @ApiProperty() is_primary: boolean;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) start_date: string | null;
  @ApiProperty({ nullable: true, type: String }) end_date: string | null;
  @ApiProperty() rule_count: number;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

class RuleFieldsDto {
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 730, description: 'Half-life in days; null disables decay' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(730)
  half_life_days?: number | null;

  @ApiPropertyOptional({ maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) icon?: string;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() active?: boolean;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'Scores events from this instant' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an RFC 3339 date-time' })
  start_at?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'Scores events before this instant' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an RFC 3339 date-time' })
  end_at?: string | null;

  @ApiPropertyOptional({ type: [ConditionDto], description: 'Attribute filters, all must hold (e.g. path contains /pricing)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  filters?: ConditionDto[];
}

export class CreateRuleDto extends RuleFieldsDto {
  @ApiPropertyOptional({ description: "Ruleset to add to; the OU's primary engagement ruleset when omitted" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ruleset_id?: string;

  @ApiProperty({ example: 'Email Open', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  event_type: string;

  @ApiProperty({ example: 5, description: 'Whole number of points, negative allowed' })
  @IsInt({ message: 'must be a whole number' })
  @Min(-100_000)
  @Max(100_000)
  weight: number;
}

export class UpdateRuleDto extends RuleFieldsDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  event_type?: string;

  @ApiPropertyOptional({ description: 'Whole number of points, negative allowed' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(-100_000)
  @Max(100_000)
  weight?: number;
}

export class RuleDto {
  @ApiProperty({ example: 'rl_2' }) rule_id: string;
  @ApiProperty({ example: 'rs_default' }) ruleset_id: string;
  @ApiProperty({ example: 'Email Open' }) event_type: string;
  @ApiProperty({ example: 5 }) weight: number;
  @ApiProperty({ nullable: true, type: Number }) half_life_days: number | null;
  @ApiProperty({ nullable: true, type: String }) icon: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) start_at: string | null;
  @ApiProperty({ nullable: true, type: String }) end_at: string | null;
  @ApiProperty({ description: '0 = highest; the first matching rule of an event type scores' }) priority: number;
  @ApiProperty({ type: [ConditionDto] }) filters: ConditionDto[];
  @ApiProperty({ nullable: true, type: String, example: 'path contains /pricing' }) filter_label: string | null;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class ReorderRulesDto {
  @ApiProperty({ type: [String], description: 'Every rule id of the ruleset, highest priority first' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  rule_ids: string[];
}
