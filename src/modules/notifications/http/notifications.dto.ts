import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CHANNEL_TYPES, ChannelType } from '../channels/channel-views';
import { DELIVERY_STATUSES, FAILURE_STAGES, FailureStage, TRIGGER_TYPES } from '../outbox/delivery.types';

const CONFIG_DESCRIPTION =
  'Type-specific configuration (NC-2). slack: {channel_id (e.g. C01ABCDEF), channel_name?}; teams: {webhook_url (https), channel_name?}; ' +
  'webhook: {url (https), auth_header? (sent as Authorization; stored encrypted, shown masked)}; email: {recipients (comma-separated addresses), subject_prefix?}. ' +
  'Destination URLs that resolve to private, loopback, link-local or metadata addresses answer 400 destination_not_allowed.';

export class CreateNotificationChannelDto {
  @ApiProperty({ example: 'Sales alerts', description: 'Display name for the channel' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiProperty({ enum: CHANNEL_TYPES })
  @IsIn(CHANNEL_TYPES)
  type: ChannelType;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { url: 'https://hooks.example.com/kenbun' },
    description: CONFIG_DESCRIPTION,
  })
  @IsObject()
  config: Record<string, unknown>;
}

export class UpdateNotificationChannelDto {
  @ApiPropertyOptional({ example: 'Sales alerts' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;

  @ApiPropertyOptional({ enum: CHANNEL_TYPES, description: 'Changing the type needs the new type’s config' })
  @IsOptional()
  @IsIn(CHANNEL_TYPES)
  type?: ChannelType;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: `${CONFIG_DESCRIPTION} Replaces the whole config; a webhook auth_header equal to the shown mask keeps the stored secret.`,
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

export class NotificationChannelDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Type-specific configuration; auth_header masked' })
  config: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ChannelHealthDto {
  @ApiProperty({ description: 'Notifications delivered in the last 24 hours' }) delivered_24h: number;
  @ApiProperty({ description: 'Notifications that failed for good in the last 24 hours (terminal_4xx, retry_exhausted, enqueue_failed)' }) failed_24h: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_failure_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'connection timeout after 10s' }) last_error: string | null;
  @ApiProperty({
    enum: ['gray', 'green', 'amber', 'red'],
    description: 'gray: nothing in 24 h; green: only deliveries; amber: 0 < failed < delivered; red: failed > 0 and failed ≥ delivered',
  })
  status: string;
}

const splitList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

export class NotificationFailuresQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Filter to records of one notification channel' })
  @IsOptional()
  @IsUUID('all')
  channel_id?: string;

  @ApiPropertyOptional({ description: 'Filter to records of one trigger' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  trigger_id?: string;

  @ApiPropertyOptional({ enum: ['milestone', 'sequence', 'surge'] })
  @IsOptional()
  @IsIn(['milestone', 'sequence', 'surge'])
  trigger_type?: 'milestone' | 'sequence' | 'surge';

  @ApiPropertyOptional({
    type: String,
    example: 'retry_exhausted,terminal_4xx',
    description: `Comma-separated statuses: ${DELIVERY_STATUSES.join(', ')}. Default: every failure status (all but delivered).`,
  })
  @IsOptional()
  @Transform(splitList)
  @IsIn(DELIVERY_STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional({ enum: FAILURE_STAGES })
  @IsOptional()
  @IsIn(FAILURE_STAGES)
  failure_stage?: FailureStage;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC3339; only records whose last_attempt_at ≥ since. Default: 7 days ago.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor: next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class NotificationFailureDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) channel_id: string | null;
  @ApiProperty({ type: String, nullable: true }) trigger_id: string | null;
  @ApiProperty({ enum: TRIGGER_TYPES }) trigger_type: string;
  @ApiProperty({ description: 'The firing the notification is about (e.g. a surge event id)' }) source_id: string;
  @ApiProperty({ type: String, nullable: true }) lead_id: string | null;
  @ApiProperty({ enum: ['webhook', 'teams', 'email', 'slack'] }) destination: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ enum: FAILURE_STAGES }) failure_stage: string;
  @ApiProperty({ description: 'Send attempts made' }) attempts: number;
  @ApiProperty({ type: Number, nullable: true }) http_status: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'HTTP 500' }) last_error: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) last_attempt_at: string;
}

export class NotificationFailuresPageDto {
  @ApiProperty({ type: [NotificationFailureDto] }) items: NotificationFailureDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last page' }) next_cursor: string | null;
  @ApiProperty({ description: 'Records matching the filters (all pages)' }) total_count: number;
}
