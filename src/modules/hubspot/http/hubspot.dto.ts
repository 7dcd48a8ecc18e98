import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ENGAGEMENT_TYPES, EngagementType } from '../domain';

export class HubSpotStatusDto {
  @ApiProperty({ description: 'Whether the OU holds working HubSpot tokens' }) connected: boolean;
  @ApiProperty({
    enum: ['connected', 'broken', 'disconnected'],
    description: '`broken`: HubSpot revoked the access (a refresh was refused or the token answered 401); re-connect with oauth/initiate',
  })
  status: string;
  @ApiProperty({ enum: ['shared', 'byo', 'unconfigured'], description: 'Which OAuth app brokers the connection (HS-3)' }) app_mode: string;
  @ApiProperty({ description: 'Whether customer-supplied (BYO) credentials are saved' }) has_credentials: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'The HubSpot portal (hub) id' }) portal_id: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the last completed sync started' }) last_synced_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the connection broke or the last sync failed' }) last_error: string | null;
}

export class HubSpotAuthorizeDto {
  @ApiProperty({ description: 'HubSpot’s authorize URL with client_id, scope, redirect_uri and a single-use state (10 minutes) for the active OU' })
  authorize_url: string;
  @ApiProperty({ description: 'The same URL' }) url: string;
  @ApiProperty({ enum: ['shared', 'byo'], description: 'The app the URL was built with' }) app_mode: string;
}

export class HubSpotCredentialsDto {
  @ApiProperty({ description: 'HubSpot OAuth app Client ID from your HubSpot Developer Account.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/^\S+$/, { message: 'must not contain spaces' })
  client_id: string;

  @ApiProperty({ description: 'HubSpot OAuth app Client Secret. Stored encrypted at rest, never returned.' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @Matches(/^\S+$/, { message: 'must not contain spaces' })
  client_secret: string;
}

export class HubSpotCredentialsResultDto {
  @ApiProperty({ enum: ['saved', 'cleared'] }) status: string;
  @ApiProperty({ enum: ['shared', 'byo', 'unconfigured'] }) app_mode: string;
}

export class PutEngagementTypesDto {
  @ApiProperty({ type: [String], enum: ENGAGEMENT_TYPES, description: 'Engagement types to sync going forward. Pass an empty array to disable all types.' })
  @IsArray()
  @ArrayMaxSize(ENGAGEMENT_TYPES.length * 2)
  @IsIn(ENGAGEMENT_TYPES, { each: true, message: `each value must be one of ${ENGAGEMENT_TYPES.join(', ')}` })
  engagement_types: EngagementType[];

  @ApiPropertyOptional({ description: 'When true, marks that engagement history imports are enabled for this connection.' })
  @IsOptional()
  @IsBoolean()
  include_engagement_history?: boolean;
}

export class EngagementTypesDto {
  @ApiProperty({ type: [String], enum: ENGAGEMENT_TYPES }) engagement_types: string[];
  @ApiProperty() include_engagement_history: boolean;
}

export class EngagementSyncStatusDto extends EngagementTypesDto {
  @ApiProperty({ description: 'Whether an engagement history import has completed' }) engagement_history_synced: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) engagement_history_synced_at: string | null;
}

export class HubSpotBackfillDto {
  @ApiPropertyOptional({ description: 'Whether to import historical contacts (with companies, deals and deal pipelines). Defaults to true when omitted.' })
  @IsOptional()
  @IsBoolean()
  include_contacts?: boolean;

  @ApiPropertyOptional({ description: 'Whether to import historical engagement activity (emails, calls, meetings, notes, tasks).' })
  @IsOptional()
  @IsBoolean()
  include_engagement_history?: boolean;

  @ApiPropertyOptional({
    type: [String],
    enum: ENGAGEMENT_TYPES,
    description: 'Which engagement types to import. Only used when include_engagement_history is true. If omitted, the enabled types are imported.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ENGAGEMENT_TYPES.length * 2)
  @IsIn(ENGAGEMENT_TYPES, { each: true, message: `each value must be one of ${ENGAGEMENT_TYPES.join(', ')}` })
  engagement_types?: EngagementType[];

  @ApiPropertyOptional({
    description: 'When true, re-imports engagement history even if it was imported before (already imported engagements are not recorded twice).',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class HubSpotBackfillResultDto {
  @ApiProperty({ example: 'queued' }) status: string;
  @ApiProperty({ example: 'Historical import started' }) message: string;
  @ApiProperty({ type: [String], example: ['contacts', 'companies', 'deals', 'engagements:emails'], description: 'What the queued run imports' })
  queued: string[];
}

export class HubSpotOAuthCallbackQueryDto {
  @ApiProperty({ description: 'The state handed out by oauth/initiate (single use, 10 minutes)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  state: string;

  @ApiPropertyOptional({ description: 'The code HubSpot sends back to exchange at /oauth/v1/token' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  code?: string;

  @ApiPropertyOptional({ description: 'Set by HubSpot when the user declined' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  error?: string;
}
