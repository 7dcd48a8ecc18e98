import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
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
import { ConditionDto } from '../../scoring';

const MAX_WINDOW_MS = 30 * 86_400_000;

export class CreateVelocityFilterDto {
  @ApiProperty({ example: 'Email Click' }) @IsString() @MinLength(1) @MaxLength(100) @Matches(/\S/, { message: 'must not be blank' }) event_type: string;
  @ApiProperty({ example: 5, description: 'Events allowed per lead within the window; more are suppressed' })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  count_threshold: number;
  @ApiProperty({ example: 300000, description: 'Rolling window in milliseconds (300000 = 5 minutes)' })
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_MS)
  time_window_ms: number;
  @ApiPropertyOptional({ default: false, description: 'Keep the first event of a burst, suppress the rest' }) @IsOptional() @IsBoolean() group_events?: boolean;
}

export class UpdateVelocityFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) @Matches(/\S/, { message: 'must not be blank' }) event_type?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1_000_000) count_threshold?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(MAX_WINDOW_MS) time_window_ms?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() group_events?: boolean;
}

export class VelocityFilterDto {
  @ApiProperty() filter_id: string;
  @ApiProperty() event_type: string;
  @ApiProperty() count_threshold: number;
  @ApiProperty() time_window_ms: number;
  @ApiProperty() group_events: boolean;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class CreateMetadataFilterDto {
  @ApiProperty({ example: 'Internal traffic', description: 'Human-readable label' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiPropertyOptional({ default: '', description: 'Scope to one event type; empty string matches all types' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiProperty({ type: [ConditionDto], description: 'All must hold for an event to be suppressed (1–20)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  conditions: ConditionDto[];

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

export class UpdateMetadataFilterDto {
  @ApiProperty({ example: 'Internal traffic' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiPropertyOptional({ description: 'Empty string matches all types; omitted = unchanged' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiPropertyOptional({ type: [ConditionDto], description: 'Replaces the conditions (1–20); omitted = unchanged' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  conditions?: ConditionDto[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
}

export class MetadataFilterDto {
  @ApiProperty() id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: "'' = every event type" }) event_type: string;
  @ApiProperty({ type: [ConditionDto] }) conditions: ConditionDto[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'Stored events of the OU this filter has suppressed (counted on read; deleted events no longer count)' })
  suppressed_count: number;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class MetadataFilterPreviewDto {
  @ApiPropertyOptional({ example: 'Page View', description: 'Scope preview to a specific event type. Omit (or empty) for all types.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiProperty({ type: [ConditionDto], description: 'All must hold for an event to count (1–20)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConditionDto)
  conditions: ConditionDto[];
}

export class MetadataFilterPreviewResultDto {
  @ApiProperty({ example: 42, description: 'Stored events of the active OU the conditions would suppress' }) count: number;
}
