import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';

export const SCORE_BOUND = 1_000_000_000;
/** Present in the body (null included): a partial update changes it. */
const Present = () => ValidateIf((_o, v) => v !== undefined);

export class CreateLevelDto {
  @ApiProperty({ example: 'Hot' }) @IsString() @MinLength(1) @MaxLength(100) @Matches(/\S/, { message: 'must not be blank' }) name: string;
  @ApiProperty({ type: 'integer', example: 80, description: 'Lowest displayed (rounded) score of the level, inclusive' })
  @IsInt()
  @Min(-SCORE_BOUND)
  @Max(SCORE_BOUND)
  min_score: number;
  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 1000, description: 'Highest score, inclusive; null or omitted = open-ended top tier' })
  @IsOptional()
  @IsInt()
  @Min(-SCORE_BOUND)
  @Max(SCORE_BOUND)
  max_score?: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '#ef4444', description: 'Display colour' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  color?: string | null;
  @ApiPropertyOptional({ type: 'integer', description: 'Display order (lists sort by min_score)' }) @IsOptional() @IsInt() @Min(0) @Max(10_000) order?: number;
  @ApiPropertyOptional({
    description: "Ruleset the level belongs to; default the dimension's primary ruleset (none while the dimension has no rulesets: profile and account)",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  ruleset_id?: string;
}

/** Partial update: omitted fields stay; `max_score: null` opens the top tier. */
export class UpdateLevelDto {
  @ApiPropertyOptional({ example: 'Very Hot' })
  @Present()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;
  @ApiPropertyOptional({ type: 'integer' }) @Present() @IsInt() @Min(-SCORE_BOUND) @Max(SCORE_BOUND) min_score?: number;
  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'null = open-ended top tier' })
  @IsOptional()
  @IsInt()
  @Min(-SCORE_BOUND)
  @Max(SCORE_BOUND)
  max_score?: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(32) color?: string | null;
  @ApiPropertyOptional({ type: 'integer' }) @Present() @IsInt() @Min(0) @Max(10_000) order?: number;
}

export class LevelHistoryQueryDto {
  @ApiPropertyOptional({
    description: "The ruleset whose configuration history to list; default the dimension's primary ruleset (none for profile and account)",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  ruleset_id?: string;
}

export class RevertLevelsDto {
  @ApiProperty({ description: 'ID of the history entry to revert to' }) @IsString() @MinLength(1) @MaxLength(100) history_id: string;
}

/** Fields every level shows; the id field is named per kind (engagement `stage_id`, others `level_id`, as the seed). */
class LevelFieldsDto {
  @ApiProperty({ example: 'Hot' }) name: string;
  @ApiProperty({ type: 'integer', example: 80 }) min_score: number;
  @ApiProperty({ type: 'integer', nullable: true, example: 1000, description: 'null = open-ended top tier' }) max_score: number | null;
  @ApiProperty({ type: String, nullable: true }) color: string | null;
  @ApiProperty({ type: 'integer' }) order: number;
  @ApiProperty({ type: String, nullable: true, description: 'Ruleset the level belongs to; null while its dimension has no rulesets' }) ruleset_id:
    string | null;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty({ type: String, nullable: true }) created_by: string | null;
  @ApiProperty({ type: String, nullable: true }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class EngagementLevelDto extends LevelFieldsDto {
  @ApiProperty({ example: 'st_hot', description: 'Level id' }) stage_id: string;
}

export class LevelDto extends LevelFieldsDto {
  @ApiProperty({ description: 'Level id' }) level_id: string;
}

class LevelHistoryFieldsDto {
  @ApiProperty() history_id: string;
  @ApiProperty({ enum: ['engagement', 'profile', 'account'] }) kind: string;
  @ApiProperty({ type: String, nullable: true }) ruleset_id: string | null;
  @ApiProperty({ enum: ['create', 'update', 'delete', 'revert'], description: 'The change that produced this configuration' }) action: string;
  @ApiProperty({ type: String, nullable: true, description: 'For a revert: the history entry it restored' }) reverted_to: string | null;
  @ApiProperty({ type: String, nullable: true }) actor: string | null;
  @ApiProperty() created_at: string;
}

export class EngagementLevelHistoryDto extends LevelHistoryFieldsDto {
  @ApiProperty({ type: [EngagementLevelDto], description: 'The whole configuration after the change, by min_score' }) levels: EngagementLevelDto[];
}

export class LevelHistoryDto extends LevelHistoryFieldsDto {
  @ApiProperty({ type: [LevelDto], description: 'The whole configuration after the change, by min_score' }) levels: LevelDto[];
}
