import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PROCESSING_SCOPES, ProcessingScope } from '../../leads';

export class EventTypePropertiesDto {
  @ApiProperty({ example: 'Page View', description: 'Display name of the event type' }) event_type: string;
  @ApiProperty({
    type: [String],
    example: ['path', 'referrer', 'utm_source'],
    description: 'Distinct top-level metadata keys seen on events of the type in the active OU, sorted',
  })
  properties: string[];
}

export class OuEventTypeDto {
  @ApiProperty({ example: 'Page View', description: 'Title Case display name (every spelling of a type shows the same way)' }) name: string;
  @ApiProperty({ example: 'page_view', description: 'Canonical key: "Page View", "page_view" and "page-view" are one type' }) key: string;
  @ApiProperty({ description: 'Hidden in the active OU: not offered in pickers, and rules stop scoring new events of it (ET-4)' }) hidden: boolean;
  @ApiProperty({
    enum: PROCESSING_SCOPES,
    description: 'Ceiling on processing in the active OU: observe = store and count only; decide = also score; activate (default) = also fire triggers',
  })
  max_processing_scope: ProcessingScope;
  @ApiProperty({ example: 1234, description: 'Stored events of the type in the active OU (suppressed ones included)' }) ou_event_count: number;
  @ApiProperty({ nullable: true, type: String, description: 'Earliest event timestamp seen in the active OU (null when none yet)' }) first_seen: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Latest event timestamp seen in the active OU (null when none yet)' }) last_seen: string | null;
  @ApiProperty({ description: 'A system type whose events cannot be deleted by type' }) protected: boolean;
  @ApiProperty({ description: 'Its events may be deleted by type (not protected)' }) deletable: boolean;
}

export class UpdateEventTypeSettingsDto {
  @ApiPropertyOptional({ description: 'Hide the type in the active OU; omitted = unchanged (default false)' })
  @IsOptional()
  @IsBoolean()
  hidden?: boolean;

  @ApiPropertyOptional({
    enum: PROCESSING_SCOPES,
    description: 'Ceiling for event processing in this OU; does not imply execution. Omitted = unchanged (default activate)',
  })
  @IsOptional()
  @IsIn(PROCESSING_SCOPES)
  max_processing_scope?: ProcessingScope;
}

export class EventTypeDeletePreviewDto {
  @ApiProperty({ example: 120, description: 'Stored events of the type in the active OU that a delete would remove' }) events_count: number;
  @ApiProperty({ example: 80, description: 'Per-ruleset score contributions of those events that a delete would withdraw' }) event_scores_count: number;
}

export class EventTypeDeleteResultDto {
  @ApiProperty({ example: 120 }) events_deleted: number;
  @ApiProperty({ example: 80 }) event_scores_deleted: number;
}
