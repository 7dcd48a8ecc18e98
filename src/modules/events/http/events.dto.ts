import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { PageQueryDto, RFC3339 } from '../../../platform/http';
import { CHANNELS, SUPPRESSION_REASONS } from '../../scoring';

const asArray = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

export class EventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: [String], description: 'Repeatable key:value filter (split at the first colon), e.g. metadata=utm_campaign:fall2025' })
  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[^:]+:/, { each: true, message: 'each metadata filter must look like key:value' })
  metadata?: string[];

  @ApiPropertyOptional({ enum: ['and', 'or'], default: 'and' }) @IsOptional() @IsIn(['and', 'or']) logic?: 'and' | 'or';
}

export class LeadEventsQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ description: 'Only this event type (either naming: "Page View" or page_view)' }) @IsOptional() @IsString() event_type?: string;
}

export class EventDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, description: 'Null for a suppressed event whose identifiers matched no lead' }) lead_id: string | null;
  @ApiProperty() event_type: string;
  @ApiProperty({ description: 'When it happened (RFC 3339)' }) timestamp: string;
  @ApiProperty({ description: 'When kenbun received it' }) created_at: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiProperty({ enum: SUPPRESSION_REASONS, nullable: true, description: 'Why the event earns no points (stored for audit)' }) suppressed: string | null;
  @ApiPropertyOptional({ nullable: true }) client_event_id: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'MRG-6: the lead the event was first recorded on, when a merge moved it' }) original_lead_id:
    string | null;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] }) events: EventDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

export class BatchDeleteDto {
  @ApiProperty({ type: [String], description: 'Event ids (at most 1000); ids of other OUs are ignored' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids: string[];
}

export class BatchDeleteResultDto {
  @ApiProperty({ description: 'Events of the active OU deleted (their points withdrawn)' }) deleted: number;
}

export class RulesetDeltaDto {
  @ApiProperty() ruleset_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) rule_id: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'The matched rule’s attribute filters in words' }) filter_label: string | null;
  @ApiProperty({ description: 'Rule weight awarded at event time' }) base_points: number;
  @ApiProperty({ description: 'Surge session multiplier frozen at event time' }) multiplier: number;
  @ApiProperty({ nullable: true }) half_life_days: number | null;
  @ApiProperty({ description: 'Half-life factor as of now (1 without decay)' }) decay_factor: number;
  @ApiProperty({ description: 'Points this event contributes now' }) delta: number;
  @ApiProperty({ description: 'Ruleset score from the lead’s earlier events (now, floored)' }) before: number;
  @ApiProperty({ description: 'Ruleset score including this event (now, floored)' }) after: number;
}

export class EventExplanationDto {
  @ApiProperty() event_id: string;
  @ApiProperty({ nullable: true }) lead_id: string | null;
  @ApiProperty() event_type: string;
  @ApiProperty() occurred_at: string;
  @ApiProperty({ enum: SUPPRESSION_REASONS, nullable: true }) suppressed: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Metadata filter that suppressed the event' }) filter_id: string | null;
  @ApiProperty({ type: [RulesetDeltaDto] }) rulesets: RulesetDeltaDto[];
}

export class ExportQueryDto {
  @ApiPropertyOptional({ description: 'From (inclusive, RFC 3339)' }) @IsOptional() @Matches(RFC3339) start?: string;
  @ApiPropertyOptional({ description: 'Until (exclusive, RFC 3339)' }) @IsOptional() @Matches(RFC3339) end?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() event_type?: string;
}

export const ACTIVITY_RANGES = ['all', 'last_7d', 'last_24h', 'last_30d', 'last_90d', 'today', 'yesterday', 'custom'] as const;

export class ActivityQueryDto {
  @ApiPropertyOptional({ enum: ACTIVITY_RANGES, default: 'last_7d' })
  @IsOptional()
  @IsIn(ACTIVITY_RANGES as unknown as string[])
  range?: (typeof ACTIVITY_RANGES)[number];
  @ApiPropertyOptional({ description: 'RFC 3339 UTC; required with range=custom' }) @IsOptional() @Matches(RFC3339) start?: string;
  @ApiPropertyOptional({ description: 'RFC 3339 UTC; required with range=custom' }) @IsOptional() @Matches(RFC3339) end?: string;
  @ApiPropertyOptional({ enum: ['all', ...CHANNELS], default: 'all' }) @IsOptional() @IsIn(['all', ...CHANNELS]) channel?: string;
  @ApiPropertyOptional({ minimum: 0, description: 'Only events whose score delta is at least this' })
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  minScore?: number;
  @ApiPropertyOptional({ minimum: 1, description: 'Only events processed within this many ms of receipt' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  maxLatency?: number;
  @ApiPropertyOptional({ enum: ['1', 'true', '0', 'false'] }) @IsOptional() @IsIn(['1', 'true', '0', 'false']) hasDelta?: string;
}

export class ActivityEventDto extends EventDto {
  @ApiProperty({ example: 'event' }) type: string;
  @ApiProperty({ description: 'Points across the lead’s engagement rulesets now' }) score_delta: number;
  @ApiProperty({ description: 'Milliseconds from receipt to being recorded' }) latency_ms: number;
}

export class ActivityDto {
  @ApiProperty({ type: [ActivityEventDto] }) events: ActivityEventDto[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Orders (type "order"); read-only, never scored' }) orders: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Events and orders merged, by timestamp' }) timeline: Record<string, unknown>[];
}
