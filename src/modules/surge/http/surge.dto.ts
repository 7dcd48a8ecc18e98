import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '../../../platform/http';
import { SLACK_TARGET_KINDS, SlackTargetKind, WINDOW_UNITS, WindowUnit } from '../entities/surge-trigger.entity';

/** 90 days: the longest history preview and simulate can scan. */
export const MAX_WINDOW_SECONDS = 90 * 86_400;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
/** present = must be valid (null rejected); absent = unchanged / default */
const Present = () => ValidateIf((_o, v) => v !== undefined);
/** absent or null = unchanged / cleared */
const Given = () => ValidateIf((_o, v) => v !== undefined && v !== null);

class SurgeTriggerFieldsDto {
  @ApiPropertyOptional({ example: 'Pricing page surge', description: 'Label; generated from the rule when omitted' })
  @Present()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;

  @ApiPropertyOptional({ example: 'Page View', default: '', description: 'Optional; leave empty to monitor all event types' })
  @Present()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiPropertyOptional({ enum: WINDOW_UNITS, default: 'seconds', description: 'Display unit only; window_seconds is always seconds' })
  @Present()
  @IsIn(WINDOW_UNITS)
  window_unit?: WindowUnit;

  @ApiPropertyOptional({ default: true, description: 'Defaults to true. Pass false to save a draft without a dispatch destination.' })
  @Present()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'ID of a saved Notification Channel of the active OU (preferred destination).',
  })
  @Given()
  @IsUUID('all')
  notification_channel_id?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    deprecated: true,
    example: 'https://hooks.example.com/surge',
    description: 'Deprecated legacy webhook destination; use notification_channel_id. When set, the response carries a deprecation warning.',
  })
  @Given()
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS)
  webhook_url?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Bearer s3cr3t',
    description: 'Sent as the Authorization header of webhook requests; stored encrypted, returned masked',
  })
  @Given()
  @IsString()
  @MaxLength(2000)
  webhook_auth_header?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['sales@example.com'], description: 'Email recipients (at most 50)' })
  @Present()
  @IsArray()
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  emails?: string[];

  @ApiPropertyOptional({ enum: SLACK_TARGET_KINDS, nullable: true, description: 'Slack destination type (default channel when slack_target_id is set)' })
  @Given()
  @IsIn(SLACK_TARGET_KINDS)
  slack_target_kind?: SlackTargetKind | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'C01ABCDEF', description: 'Slack channel or user ID' })
  @Given()
  @IsString()
  @MaxLength(100)
  slack_target_id?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'https://example.webhook.office.com/webhookb2/…',
    description: 'Microsoft Teams incoming webhook URL',
  })
  @Given()
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS)
  teams_webhook_url?: string | null;

  @ApiPropertyOptional({
    default: false,
    description:
      "Notify the Lead Owner (OWN-1): also send each firing as a Slack DM to the lead's owner, within their notification preferences (surge detected)",
  })
  @Present()
  @IsBoolean()
  notify_owner?: boolean;
}

export class CreateSurgeTriggerDto extends SurgeTriggerFieldsDto {
  @ApiProperty({ minimum: 1, maximum: MAX_WINDOW_SECONDS, example: 7200, description: 'Rolling window in seconds' })
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  window_seconds: number;

  @ApiProperty({ minimum: 1, example: 5, description: 'Fires when a lead has at least this many matching events in the window' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  threshold_count: number;
}

/** Partial update (docs): omitted fields are unchanged; null clears a nullable destination field. */
export class UpdateSurgeTriggerDto extends SurgeTriggerFieldsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_WINDOW_SECONDS, example: 7200 })
  @Present()
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  window_seconds?: number;

  @ApiPropertyOptional({ minimum: 1, example: 5 })
  @Present()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  threshold_count?: number;
}

export class SurgeTriggerDto {
  @ApiProperty({ example: 'srg_Ab3dEf9hIjKl' }) trigger_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: "'' = every event type" }) event_type: string;
  @ApiProperty() window_seconds: number;
  @ApiProperty({ enum: WINDOW_UNITS }) window_unit: string;
  @ApiProperty() threshold_count: number;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) notification_channel_id: string | null;
  @ApiProperty({ type: String, nullable: true, deprecated: true }) webhook_url: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Bea•••ret', description: 'Masked; the stored value is never returned' }) webhook_auth_header:
    string | null;
  @ApiProperty({ type: [String] }) emails: string[];
  @ApiProperty({ enum: SLACK_TARGET_KINDS, nullable: true }) slack_target_kind: string | null;
  @ApiProperty({ type: String, nullable: true }) slack_target_id: string | null;
  @ApiProperty({ type: String, nullable: true }) teams_webhook_url: string | null;
  @ApiProperty({ description: "Also DM the lead's owner on Slack (OWN-1)" }) notify_owner: boolean;
  @ApiProperty({ type: [String], description: 'Deprecation notices (e.g. webhook_url)' }) warnings: string[];
  @ApiProperty({ type: String, nullable: true }) created_by: string | null;
  @ApiProperty({ type: String, nullable: true }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class PreviewSurgeTriggerDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 30, description: 'Number of days of event history to scan (1–90, default 30)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  days?: number;
}

export class SimulateSurgeTriggerDto extends PreviewSurgeTriggerDto {
  @ApiProperty({ example: 'ld_a1b2c3d4-e5f6-7890-abcd-ef1234567890', description: 'The Lead ID to simulate against' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lead_id: string;
}

export class SurgePreviewDto {
  @ApiProperty({ example: 5, description: 'Firings over all leads of the OU in the period' }) would_fire_count: number;
  @ApiProperty({ type: [String], description: 'Up to 10 lead ids that would have fired' }) sample_leads: string[];
}

export class SurgeWindowDto {
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty() event_count: number;
}

export class SurgeSimulationDto {
  @ApiProperty() would_fire: boolean;
  @ApiProperty({ description: 'Number of firings' }) total_matches: number;
  @ApiProperty({ example: 'Trigger would have fired 2 time(s) for this lead in the last 30 days' }) message: string;
  @ApiProperty({ type: [SurgeWindowDto] }) matched_windows: SurgeWindowDto[];
}

export class SurgeDeliveryAttemptDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) surge_event_id: string;
  @ApiProperty({ enum: ['webhook', 'teams', 'email', 'slack'] }) destination: string;
  @ApiProperty({ enum: ['delivered', 'failed'] }) status: string;
  @ApiProperty({ type: Number, nullable: true }) http_status: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty() attempted_at: string;
}

export class SurgeTriggerHealthDto {
  @ApiProperty() delivered_24h: number;
  @ApiProperty() failed_24h: number;
  @ApiProperty({ type: String, nullable: true }) last_failure_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'connection timeout after 10s' }) last_error: string | null;
  @ApiProperty({
    enum: ['gray', 'green', 'amber', 'red'],
    description: 'gray: nothing in 24 h; green: only deliveries; amber: 0 < failed < delivered; red: failed > 0 and failed ≥ delivered',
  })
  status: string;
  @ApiProperty({ type: [SurgeDeliveryAttemptDto], description: 'The 10 most recent attempts' }) recent_attempts: SurgeDeliveryAttemptDto[];
}

export class SurgeEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Start timestamp (RFC3339), inclusive, on fired_at' })
  @IsOptional()
  @IsISO8601({ strict: true })
  start?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End timestamp (RFC3339), exclusive, on fired_at' })
  @IsOptional()
  @IsISO8601({ strict: true })
  end?: string;

  @ApiPropertyOptional({ description: 'Filter by surge channel (snapshot channel/source).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  channel?: string;
}

export class SurgeEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() trigger_id: string;
  @ApiProperty() lead_id: string;
  @ApiProperty() event_type: string;
  @ApiProperty() event_count: number;
  @ApiProperty() window_start: string;
  @ApiProperty() window_end: string;
  @ApiProperty({ description: 'Channel of the event that completed the surge' }) channel: string;
  @ApiProperty() fired_at: string;
}
