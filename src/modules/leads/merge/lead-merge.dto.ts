import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export const MERGE_MAX_SOURCES = 50;

export class MergeTruncateDto {
  @ApiProperty({
    enum: ['none', 'max_events'],
    default: 'none',
    description: '`none` moves every event; `max_events` moves at most `max_events` of the sources’ events (newest kept), the rest are deleted',
  })
  @IsIn(['none', 'max_events'])
  policy: 'none' | 'max_events';

  @ApiPropertyOptional({
    minimum: 0,
    description: 'Required with `max_events`: how many of the sources’ events (together) move to the target; the target’s own events are never dropped',
  })
  @ValidateIf((o: MergeTruncateDto) => o.policy === 'max_events' || o.max_events !== undefined)
  @IsInt()
  @Min(0)
  max_events?: number;
}

export class MergeLeadsDto {
  @ApiProperty({ description: 'Public id of the lead that remains' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  targetLeadId: string;

  @ApiProperty({
    type: [String],
    description: `Public ids of the leads merged into the target (1–${MERGE_MAX_SOURCES}, duplicates ignored); none may be the target`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MERGE_MAX_SOURCES)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  sourceLeadIds: string[];

  @ApiPropertyOptional({ type: MergeTruncateDto, description: 'Truncation policy; default `{policy: "none"}`' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MergeTruncateDto)
  truncate?: MergeTruncateDto;
}

export class MergeTargetDto {
  @ApiProperty() lead_id: string;
  @ApiProperty({ description: 'Live events of the target after the merge (timeline entries not counted)' }) event_count: number;
  @ApiProperty({ description: 'Aliases the target gained from the sources (aliases are unique per OU, so none collide with its own)' }) aliases_added: number;
}

export class MergeRescoreDto {
  @ApiProperty({ description: 'Moved events rescored under the current rules of every engagement ruleset' }) rescored_events: number;
  @ApiProperty({ description: 'Moved events that earn nothing because they predate their source’s score reset (LEAD-20)' }) reset_excluded_events: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Target score per engagement ruleset before the merge' })
  previous_scores: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Target score per engagement ruleset after the merge (the target’s own reset respected)',
  })
  scores: Record<string, number>;
}

export class MergeResultDto {
  @ApiProperty({ type: MergeTargetDto }) target: MergeTargetDto;
  @ApiProperty({ type: [String], description: 'Public ids of the merged sources' }) mergedSources: string[];
  @ApiProperty() movedEvents: number;
  @ApiProperty({ description: 'Source events dropped by the truncation policy' }) truncatedEvents: number;
  @ApiProperty({ type: MergeRescoreDto }) rescore: MergeRescoreDto;
  @ApiProperty({ description: 'The merge’s id; the same request always yields the same id, and a retry answers this same outcome' }) merge_id: string;
}

export class ResetScoresResultDto {
  @ApiProperty({ example: 'ok' }) status: 'ok';
  @ApiProperty() lead_id: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Score per engagement ruleset just before the reset' })
  previous_scores: Record<string, number>;
  @ApiProperty({ description: 'From this instant on, earlier events contribute nothing (RFC 3339)' }) score_reset_at: string;
}
