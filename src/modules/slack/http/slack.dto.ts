import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class SlackAppConfigDto {
  @ApiProperty({ description: 'Whether Slack app credentials are saved for the organization' }) configured: boolean;
}

export class PutSlackAppConfigDto {
  @ApiProperty({ example: '1234567890.1234567890', description: 'The Slack app’s client ID' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/^\S+$/, { message: 'must not contain spaces' })
  client_id: string;

  @ApiProperty({ example: 'a1b2c3d4e5f6', description: 'The Slack app’s client secret (stored encrypted, never returned)' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @Matches(/^\S+$/, { message: 'must not contain spaces' })
  client_secret: string;
}

export class SlackStatusDto {
  @ApiProperty() connected: boolean;
  @ApiProperty({ type: String, nullable: true }) team_name: string | null;
  @ApiProperty({ type: String, nullable: true }) team_id: string | null;
  @ApiProperty({ type: String, nullable: true }) bot_user_id: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at: string | null;
  @ApiProperty({ type: String, enum: ['channel', 'user'], nullable: true }) default_target_kind: 'channel' | 'user' | null;
  @ApiProperty({ type: String, nullable: true }) default_target_id: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Where a browser starts (or redoes) the installation (GET /settings/ou/slack/install); null until the organization’s Slack app is configured',
  })
  authorize_url: string | null;
}

export class SlackAuthorizeUrlDto {
  @ApiProperty({ description: 'Slack’s authorize URL with client_id, scope, redirect_uri and a single-use state (10 minutes) for the active OU' })
  authorize_url: string;
  @ApiProperty({ description: 'The same URL (contracts §3 name)' })
  url: string;
}

export class SlackOAuthCallbackQueryDto {
  @ApiProperty({ description: 'The state handed out by the install (single use, 10 minutes)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  state: string;

  @ApiPropertyOptional({ description: 'The code Slack sends back to exchange with oauth.v2.access' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  code?: string;

  @ApiPropertyOptional({ description: 'Set by Slack when the installation was cancelled (e.g. access_denied)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  error?: string;
}

export class SlackChannelsQueryDto {
  @ApiPropertyOptional({ example: 'public_channel,private_channel', description: 'Slack conversation types (default public_channel,private_channel)' })
  @IsOptional()
  @Matches(/^(public_channel|private_channel|mpim|im)(,(public_channel|private_channel|mpim|im))*$/, {
    message: 'must be a comma-separated list of public_channel, private_channel, mpim, im',
  })
  types?: string;

  @ApiPropertyOptional({ description: 'Slack’s next_cursor of the previous page (passed through)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: true, description: 'Leave archived channels out' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  exclude_archived?: boolean;
}

export class SlackUsersQueryDto {
  @ApiPropertyOptional({ description: 'Slack’s next_cursor of the previous page (passed through)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

class SlackResponseMetadataDto {
  @ApiPropertyOptional({ description: 'Cursor of the next page; empty on the last page' }) next_cursor?: string;
}

export class SlackChannelsDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Slack conversation objects as Slack answers them' })
  channels: Record<string, unknown>[];
  @ApiProperty({ type: SlackResponseMetadataDto }) response_metadata: SlackResponseMetadataDto;
}

export class SlackUsersDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Slack user objects as Slack answers them' })
  members: Record<string, unknown>[];
  @ApiProperty({ type: SlackResponseMetadataDto }) response_metadata: SlackResponseMetadataDto;
}

export class SlackTargetDto {
  @ApiProperty({ enum: ['channel', 'user'] })
  @IsIn(['channel', 'user'])
  kind: 'channel' | 'user';

  @ApiProperty({ example: 'C01ABCDEF', description: 'A Slack channel id (C…, G…) for kind channel, a user id (U…, W…) for kind user' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9]{2,40}$/, { message: 'must be a Slack id such as C01ABCDEF or U012AB3CD' })
  id: string;
}

export class SlackTestMessageDto extends SlackTargetDto {
  @ApiPropertyOptional({ description: 'Optional custom message', maxLength: 3000 })
  @IsOptional()
  @IsString()
  @MaxLength(3000)
  text?: string;
}

export class SlackTestResultDto {
  @ApiProperty({ example: 'Test message sent to channel C01ABCDEF' }) message: string;
}

export class SlackPublishNotificationsDto {
  @ApiProperty({ description: 'Post to Slack when a scoring ruleset is published' })
  @IsBoolean()
  enabled: boolean;
}

export class SlackIdentityStatusDto {
  @ApiProperty({ description: 'Confirmed members of the active OU (members with a membership in it)' }) total: number;
  @ApiProperty({ description: 'How many of them have a Slack user id' }) mapped: number;
}

export class SlackIdentitySyncDto {
  @ApiProperty() members_total: number;
  @ApiProperty({ description: 'Unmapped members now mapped by e-mail' }) matched: number;
  @ApiProperty({ description: 'Unmapped members no Slack user’s e-mail matched' }) no_match: number;
  @ApiProperty({ description: 'Members that could not be looked up or saved' }) errors: number;
}
