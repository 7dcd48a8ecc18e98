import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
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
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../../platform/http';
import { FIRE_MODES, SEQUENCE_WINDOW_UNITS, SLACK_TARGET_KINDS } from '../domain';

/** 90 days: the longest window a sequence or pattern looks back. */
export const MAX_WINDOW_SECONDS = 90 * 86_400;
const MAX_COOLDOWN_SECONDS = 365 * 86_400;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
/** present = must be valid (null rejected); absent = unchanged / default */
const Present = () => ValidateIf((_o, v) => v !== undefined);
/** absent or null = unchanged / cleared */
const Given = () => ValidateIf((_o, v) => v !== undefined && v !== null);

/** Destinations and e-mail texts every trigger kind shares. */
class DestinationFieldsDto {
  @ApiPropertyOptional({ default: true, description: 'false saves the trigger paused (MS-6)' })
  @Present()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'A saved Notification Channel of the active OU (preferred destination)' })
  @Given()
  @IsUUID('all')
  notification_channel_id?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://hooks.example.com/kenbun', description: 'Webhook receiving a JSON POST per firing' })
  @Given()
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS)
  webhook_url?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Microsoft Teams incoming webhook URL' })
  @Given()
  @IsString()
  @MaxLength(2000)
  @IsUrl(URL_OPTIONS)
  teams_webhook_url?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['sales@example.com'], description: 'E-mail recipients (at most 50)' })
  @Present()
  @IsArray()
  @ArrayMaxSize(50)
  @IsEmail({}, { each: true })
  emails?: string[];

  @ApiPropertyOptional({ enum: SLACK_TARGET_KINDS, nullable: true, description: 'Slack destination type (channel when slack_target_id is set)' })
  @Given()
  @IsIn(SLACK_TARGET_KINDS)
  slack_target_kind?: (typeof SLACK_TARGET_KINDS)[number] | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'C01ABCDEF', description: 'Slack channel or user ID' })
  @Given()
  @IsString()
  @MaxLength(100)
  slack_target_id?: string | null;
}

class EmailFieldsDto extends DestinationFieldsDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @Given()
  @IsString()
  @MaxLength(200)
  email_subject?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @Given()
  @IsString()
  @MaxLength(200)
  email_preheader?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 2000, description: 'Custom text placed before the lead details (NF-3)' })
  @Given()
  @IsString()
  @MaxLength(2000)
  email_message?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['Hot'], description: 'Fire only for leads in one of these engagement levels (MS-5); empty = any' })
  @Present()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  engagement_levels?: string[];

  @ApiPropertyOptional({ enum: FIRE_MODES, default: 'once', description: 'once: first firing per lead only; always: every firing (MS-4)' })
  @Present()
  @IsIn(FIRE_MODES)
  fire_mode?: (typeof FIRE_MODES)[number];

  @ApiPropertyOptional({
    default: false,
    description:
      "Notify the Lead Owner (OWN-1): also send each firing as a Slack DM to the lead's owner, within their notification preferences (milestone reached and exited, sequence completed)",
  })
  @Present()
  @IsBoolean()
  notify_owner?: boolean;
}

class NameDto extends EmailFieldsDto {
  @ApiPropertyOptional({ example: 'Hot lead', description: 'Label; generated from the rule when omitted' })
  @Present()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;
}

class MilestoneFieldsDto extends NameDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_COOLDOWN_SECONDS,
    default: 0,
    description: "fire_mode 'always': least time between two firings for one lead (0 = none)",
  })
  @Present()
  @IsInt()
  @Min(0)
  @Max(MAX_COOLDOWN_SECONDS)
  cooldown_seconds?: number;
}

export class CreateMilestoneTriggerDto extends MilestoneFieldsDto {
  @ApiPropertyOptional({
    example: 'Demo Request',
    default: '',
    description: "Type of the event whose score change crosses the threshold; '' = any event (MS-2)",
  })
  @Present()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 50, description: 'Fires when the primary engagement score rises from below to at least this value' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  score_threshold: number;
}

export class UpdateMilestoneTriggerDto extends MilestoneFieldsDto {
  @ApiPropertyOptional({ example: 'Demo Request' })
  @Present()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000, example: 50 })
  @Present()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  score_threshold?: number;
}

class SequenceFieldsDto extends NameDto {
  @ApiPropertyOptional({ enum: SEQUENCE_WINDOW_UNITS, default: 'seconds', description: 'Display unit only; window_seconds is always seconds' })
  @Present()
  @IsIn(SEQUENCE_WINDOW_UNITS)
  window_unit?: (typeof SEQUENCE_WINDOW_UNITS)[number];

  @ApiPropertyOptional({ default: false, description: 'true: the events must occur in the listed order' })
  @Present()
  @IsBoolean()
  ordered?: boolean;
}

export class CreateSequenceTriggerDto extends SequenceFieldsDto {
  @ApiProperty({ type: [String], minItems: 2, maxItems: 10, example: ['Pricing View', 'Whitepaper Download', 'Demo Request'] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  event_types: string[];

  @ApiProperty({ minimum: 1, maximum: MAX_WINDOW_SECONDS, example: 604800 })
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  window_seconds: number;
}

export class UpdateSequenceTriggerDto extends SequenceFieldsDto {
  @ApiPropertyOptional({ type: [String], minItems: 2, maxItems: 10 })
  @Present()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  event_types?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_WINDOW_SECONDS })
  @Present()
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  window_seconds?: number;
}

export class PatternConditionDto {
  @ApiProperty({ example: 'Page View', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  event_type: string;

  @ApiProperty({ minimum: 1, maximum: 1000, example: 3 })
  @IsInt()
  @Min(1)
  @Max(1000)
  min_count: number;
}

class PatternFieldsDto extends DestinationFieldsDto {
  @ApiPropertyOptional({ example: 'Research binge' })
  @Present()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @Present()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class CreatePatternTriggerDto extends PatternFieldsDto {
  @ApiProperty({ minimum: 1, maximum: MAX_WINDOW_SECONDS, example: 3600 })
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  window_seconds: number;

  @ApiProperty({ type: [PatternConditionDto], minItems: 1, maxItems: 10, description: 'Fires when every condition is met within the window (PAT-T1)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => PatternConditionDto)
  conditions: PatternConditionDto[];
}

export class UpdatePatternTriggerDto extends PatternFieldsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_WINDOW_SECONDS })
  @Present()
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  window_seconds?: number;

  @ApiPropertyOptional({ type: [PatternConditionDto], minItems: 1, maxItems: 10 })
  @Present()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => PatternConditionDto)
  conditions?: PatternConditionDto[];
}

class DestinationsViewDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) notification_channel_id: string | null;
  @ApiProperty({ type: String, nullable: true }) webhook_url: string | null;
  @ApiProperty({ type: String, nullable: true }) teams_webhook_url: string | null;
  @ApiProperty({ type: [String] }) emails: string[];
  @ApiProperty({ enum: SLACK_TARGET_KINDS, nullable: true }) slack_target_kind: string | null;
  @ApiProperty({ type: String, nullable: true }) slack_target_id: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiProperty({ type: String, nullable: true }) created_by: string | null;
  @ApiProperty({ type: String, nullable: true }) updated_by: string | null;
}

export class MilestoneTriggerDto extends DestinationsViewDto {
  @ApiProperty({ example: 'trg_Ab3dEf9hIjKl' }) trigger_id: string;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: "'' = any event" }) event_type: string;
  @ApiProperty() score_threshold: number;
  @ApiProperty({ enum: FIRE_MODES }) fire_mode: string;
  @ApiProperty() cooldown_seconds: number;
  @ApiProperty({ type: [String] }) engagement_levels: string[];
  @ApiProperty() active: boolean;
  @ApiProperty({ type: String, nullable: true }) email_subject: string | null;
  @ApiProperty({ type: String, nullable: true }) email_preheader: string | null;
  @ApiProperty({ type: String, nullable: true }) email_message: string | null;
  @ApiProperty({ description: "Also DM the lead's owner on Slack (OWN-1)" }) notify_owner: boolean;
}

export class SequenceStepDto {
  @ApiProperty({ example: 1 }) position: number;
  @ApiProperty({ example: 'Pricing View' }) event_type: string;
}

export class SequenceTriggerDto extends DestinationsViewDto {
  @ApiProperty({ example: 'seq_Ab3dEf9hIjKl' }) trigger_id: string;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) event_types: string[];
  @ApiProperty({ type: [SequenceStepDto] }) event_steps: SequenceStepDto[];
  @ApiProperty() window_seconds: number;
  @ApiProperty({ enum: SEQUENCE_WINDOW_UNITS }) window_unit: string;
  @ApiProperty() ordered: boolean;
  @ApiProperty({ enum: FIRE_MODES }) fire_mode: string;
  @ApiProperty({ type: [String] }) engagement_levels: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Not supported yet: always empty' }) profile_filters: object[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Not supported yet: always empty' }) lead_attribute_filters: object[];
  @ApiProperty() active: boolean;
  @ApiProperty({ type: String, nullable: true }) email_subject: string | null;
  @ApiProperty({ type: String, nullable: true }) email_preheader: string | null;
  @ApiProperty({ type: String, nullable: true }) email_message: string | null;
  @ApiProperty({ description: "Also DM the lead's owner on Slack (OWN-1)" }) notify_owner: boolean;
  @ApiProperty({ description: 'Not supported yet: always false' }) hubspot_sync: boolean;
}

export class PatternTriggerDto extends DestinationsViewDto {
  @ApiProperty({ example: 'pat_Ab3dEf9hIjKl' }) trigger_id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty() active: boolean;
  @ApiProperty() window_seconds: number;
  @ApiProperty({ type: [PatternConditionDto] }) conditions: PatternConditionDto[];
  @ApiProperty({ description: 'Firings in the last 30 days' }) frequency_count: number;
}

export class SimulateTriggerDto {
  @ApiPropertyOptional({ example: 'ld_a1b2c3d4', maxLength: 200, description: 'Specific lead to test; omitted = every lead with events in the period' })
  @Present()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lead_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 30, description: 'Days to look back (1–90)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  days?: number;
}

export class TriggerSimulationDto {
  @ApiProperty() would_fire: boolean;
  @ApiProperty({ type: [String], description: 'Lead ids that would have fired (at most 100)' }) matched_leads: string[];
  @ApiProperty() total_matches: number;
  @ApiProperty({ example: 'Trigger would have fired 2 time(s) for this lead in the last 30 days' }) message: string;
}

export class DeliveryAttemptDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) delivery_id: string | null;
  @ApiProperty({ description: 'The firing (milestone or sequence event id)' }) source_id: string;
  @ApiProperty({ enum: ['webhook', 'teams', 'email', 'slack'] }) destination: string;
  @ApiProperty({ enum: ['delivered', 'failed'] }) status: string;
  @ApiProperty({ type: Number, nullable: true }) http_status: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty() attempted_at: string;
}

export class TriggerHealthDto {
  @ApiProperty() delivered_24h: number;
  @ApiProperty() failed_24h: number;
  @ApiProperty({ type: String, nullable: true }) last_failure_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'connection timeout after 30s' }) last_error: string | null;
  @ApiProperty({
    enum: ['gray', 'green', 'amber', 'red'],
    description: 'gray: nothing in 24 h; green: only deliveries; amber: 0 < failed < delivered; red: failed > 0 and failed ≥ delivered',
  })
  status: string;
  @ApiProperty({ type: [DeliveryAttemptDto], description: 'The 10 most recent attempts' }) recent_attempts: DeliveryAttemptDto[];
}

/** MS-9 / SEQ-5: firing lists take `page` and `limit` 1–100 (default 25). */
class FiringsPageQueryDto extends OmitType(PageQueryDto, ['limit'] as const) {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 25, description: 'Items per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class MilestoneEventsQueryDto extends FiringsPageQueryDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Only this trigger’s events' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  trigger_id?: string;
}

export class SequenceEventsQueryDto extends FiringsPageQueryDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Only this sequence’s events' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sequence_id?: string;
}

export class MilestoneEventsExportQueryDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  trigger_id?: string;
}

export class SequenceEventsExportQueryDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sequence_id?: string;
}

export class MilestoneEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() trigger_id: string;
  @ApiProperty() trigger_name: string;
  @ApiProperty() lead_id: string;
  @ApiProperty({ description: 'Primary engagement score after the causing event' }) score: number;
  @ApiProperty({ description: 'Score before the causing event' }) previous_score: number;
  @ApiProperty({ format: 'uuid' }) event_id: string;
  @ApiProperty({ description: 'Type of the causing event' }) event_type: string;
  @ApiProperty() fired_at: string;
}

export class SequenceEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() sequence_id: string;
  @ApiProperty() sequence_name: string;
  @ApiProperty() lead_id: string;
  @ApiProperty({ type: [String] }) event_types: string[];
  @ApiProperty({ type: [String], description: 'The events that completed the sequence' }) event_ids: string[];
  @ApiProperty() fired_at: string;
}
