import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { SURGE_MODES, SurgeMode } from '../domain';

export const MAX_SURGE_BANDS = 20;
/** A week: longer idle gaps are not a "session" in any sense the product describes. */
export const MAX_IDLE_RESET_SECONDS = 604_800;

export class SurgeBandDto {
  @ApiProperty({ example: 3, minimum: 1, description: 'The band applies from the k-th event of a session on' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  min_events: number;

  @ApiProperty({ example: 1.25, minimum: 1, maximum: 3 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(3)
  multiplier: number;
}

export class SurgeSessionPolicyDto {
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty({ enum: SURGE_MODES, example: 'standard' }) mode: SurgeMode;
  @ApiProperty({ type: [SurgeBandDto], description: 'Ascending by min_events; for standard and gentle the preset’s bands' }) bands: SurgeBandDto[];
  @ApiProperty({ example: 1800, description: 'A gap longer than this between two events of a lead starts a new session' }) idle_reset_seconds: number;
  @ApiProperty({ example: 2, minimum: 1, maximum: 3 }) multiplier_cap: number;
}

export class PutSurgeSessionPolicyDto {
  @ApiProperty({ enum: SURGE_MODES, description: 'standard and gentle are presets: their bands, idle reset and cap apply whatever else is sent' })
  @IsIn(SURGE_MODES)
  mode: SurgeMode;

  @ApiPropertyOptional({ type: [SurgeBandDto], maxItems: MAX_SURGE_BANDS, description: 'Required (non-empty) for custom; min_events unique' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SURGE_BANDS)
  @ValidateNested({ each: true })
  @Type(() => SurgeBandDto)
  bands?: SurgeBandDto[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_IDLE_RESET_SECONDS, default: 1800 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_IDLE_RESET_SECONDS)
  idle_reset_seconds?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3, default: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(3)
  multiplier_cap?: number;
}
