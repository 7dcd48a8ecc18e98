import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { DECAY_UNITS, type DecayUnit } from '../domain/decay-rule-input';

const MAX_PERIOD = 10_000;
const MAX_POINTS = 1_000_000;

const SHAPES =
  'Two shapes are accepted (one per quantity): the seed shape {inactive_for, unit, decrease}, or the docs shape ' +
  '{name, points, interval_days, active}, mapped as interval_days → inactive_for with unit "days" and points (negative) → decrease = −points.';

/** Fields both shapes share, and the docs shape's. */
class DecayRuleFieldsDto {
  @ApiPropertyOptional({ example: 'Inactive 30 days', nullable: true, type: String, description: 'Label (docs shape); null clears it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string | null;

  @ApiPropertyOptional({ example: -25, description: 'Docs shape: points subtracted per interval, negative; stored as decrease = −points' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_POINTS)
  @Max(-1)
  points?: number;

  @ApiPropertyOptional({ example: 30, description: 'Docs shape: the interval in days; stored as inactive_for with unit "days"' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PERIOD)
  interval_days?: number;

  @ApiPropertyOptional({ default: true, description: 'Inactive rules are kept but not applied' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class CreateDecayDto extends DecayRuleFieldsDto {
  @ApiPropertyOptional({ example: 30, description: `Duration amount: the period of inactivity (seed shape; required unless interval_days is sent). ${SHAPES}` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PERIOD)
  inactive_for?: number;

  @ApiPropertyOptional({ enum: DECAY_UNITS, example: 'days', description: 'Unit of inactive_for (seed shape; required with inactive_for)' })
  @IsOptional()
  @IsIn(DECAY_UNITS)
  unit?: DecayUnit;

  @ApiPropertyOptional({ example: 25, description: 'Score decrease per full period of inactivity, positive (seed shape; required unless points is sent)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  decrease?: number;
}

/** Partial update: only the fields sent change (either shape, one per quantity). */
export class UpdateDecayDto extends CreateDecayDto {}

export class DecayDto {
  @ApiProperty({ example: 'dc_inactive30d' }) decay_id: string;
  @ApiProperty({ example: 30, description: 'Period of inactivity, in `unit`' }) inactive_for: number;
  @ApiProperty({ enum: DECAY_UNITS, example: 'days' }) unit: DecayUnit;
  @ApiProperty({ example: 25, description: 'Points subtracted from every engagement ruleset score per full period of inactivity' }) decrease: number;
  @ApiProperty({ nullable: true, type: String, example: 'Inactive 30 days' }) name: string | null;
  @ApiProperty({ example: -25, description: 'Docs shape of decrease: −decrease' }) points: number;
  @ApiProperty({ nullable: true, type: Number, example: 30, description: 'Docs shape of the period in days; null when it is not a whole number of days' })
  interval_days: number | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
