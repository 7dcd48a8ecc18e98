import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ORG_ROLES, OU_ROLES } from '../domain/access';
import { CANONICAL_NOTIFICATION_TYPES, NotificationType } from '../services/notification-prefs.service';
import type { OrgRole, OuRole } from '../../../platform/tenancy/request-context';

// ── auth ───────────────────────────────────────────────────────────────────────────────────────────────
export class LoginDto {
  @ApiProperty({ example: 'jane@example.com' }) @IsEmail() @MaxLength(254) email: string;
  @ApiProperty({ example: 'correct horse battery staple', format: 'password' }) @IsString() @IsNotEmpty() @MaxLength(1024) password: string;
}

export class AccessTokenDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: string;
  @ApiProperty({ example: 3600, description: 'seconds' }) expires_in: number;
}

export class CurrentUserDto {
  @ApiProperty({ example: 'om_abc123' }) org_member_id: string;
  @ApiProperty() first_name: string;
  @ApiProperty() last_name: string;
  @ApiProperty() email: string;
  @ApiProperty({ example: 'admin', enum: ORG_ROLES }) role: string;
  @ApiProperty() verified: boolean;
}

export class CleanupResultDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ type: [String], description: 'Cookies the response expires' }) cleared: string[];
}

// ── organizational units ───────────────────────────────────────────────────────────────────────────────
export class UnitNameDto {
  @ApiProperty({ example: 'EMEA', minLength: 1, maxLength: 100 }) @IsString() @IsNotEmpty() @MaxLength(100) @Matches(/\S/, { message: 'must not be blank' }) name: string;
}

export class UnitDto {
  @ApiProperty({ example: 'unit_default' }) unit_id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
}

export class UnitListItemDto extends UnitDto {
  @ApiProperty() org_id: string;
  @ApiProperty() is_default: boolean;
  @ApiProperty({ enum: OU_ROLES, description: "The caller's role in this OU" }) role: string;
}

export class OrganizationDto {
  @ApiProperty() org_id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
}

export class UnitListDto {
  @ApiProperty({ type: [UnitListItemDto] }) units: UnitListItemDto[];
  @ApiProperty({ type: OrganizationDto }) organization: OrganizationDto;
}

export class SetActiveUnitDto {
  @ApiProperty({ example: 'unit_default', description: 'The unit_id to activate for the current session' })
  @IsString() @IsNotEmpty() @MaxLength(100) ouId: string;
}

export class ActiveUnitDto extends UnitDto {
  @ApiProperty() org_id: string;
  @ApiProperty({ enum: OU_ROLES }) role: string;
}

// ── members ────────────────────────────────────────────────────────────────────────────────────────────
export class CreateMemberDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) first_name: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) last_name: string;
  @ApiProperty({ format: 'email' }) @IsEmail() @MaxLength(254) email: string;
  @ApiProperty({ format: 'password', minLength: 10 }) @IsString() @MinLength(10) @MaxLength(1024) password: string;
  @ApiProperty({ enum: ORG_ROLES }) @IsIn(ORG_ROLES) role: OrgRole;
}

export class UpdateMemberDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) first_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) last_name?: string;
  @ApiPropertyOptional({ format: 'email' }) @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ enum: ORG_ROLES }) @IsOptional() @IsIn(ORG_ROLES) role?: OrgRole;
}

export class MemberDto {
  @ApiProperty() org_member_id: string;
  @ApiProperty() first_name: string;
  @ApiProperty() last_name: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ORG_ROLES }) role: string;
}

export class MemberListItemDto extends MemberDto {
  @ApiProperty() verified: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Masked, e.g. U12•••XYZ' }) slack_user_id: string | null;
  @ApiProperty() created_at: string;
}

export class SlackUserIdDto {
  @ApiProperty({ example: 'U012AB3CD', pattern: '^U[A-Z0-9]+$' })
  @IsString() @MaxLength(32) @Matches(/^U[A-Z0-9]+$/, { message: 'must be U followed by upper-case letters and digits' }) slack_user_id: string;
}

export class SlackUserIdResultDto {
  @ApiProperty() org_member_id: string;
  @ApiProperty() slack_user_id: string;
}

// ── OU memberships ─────────────────────────────────────────────────────────────────────────────────────
export class AssignMembershipDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) org_member_id: string;
  @ApiPropertyOptional({ enum: OU_ROLES, default: 'Viewer' }) @IsOptional() @IsIn(OU_ROLES) role?: OuRole;
}

export class MembershipRoleDto {
  @ApiProperty({ enum: OU_ROLES }) @IsIn(OU_ROLES) role: OuRole;
}

export class MembershipDto {
  @ApiProperty() unit_id: string;
  @ApiProperty() org_member_id: string;
  @ApiProperty({ enum: OU_ROLES }) role: string;
  @ApiProperty() first_name: string;
  @ApiProperty() last_name: string;
  @ApiProperty() email: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

// ── service accounts ───────────────────────────────────────────────────────────────────────────────────
export class CreateSecretDto {
  @ApiProperty({ minLength: 1, maxLength: 50, description: 'Human-friendly label for this credential (1–50 chars)' })
  @IsString() @IsNotEmpty() @MaxLength(50) @Matches(/\S/, { message: 'must not be blank' }) name: string;
}

export class SecretDto {
  @ApiProperty() secret_id: string;
  @ApiProperty() client_id: string;
  @ApiProperty() name: string;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) last_used_at: string | null;
}

export class CreatedSecretDto {
  @ApiProperty() secret_id: string;
  @ApiProperty() client_id: string;
  @ApiProperty({ description: 'Shown only in this response' }) client_secret: string;
  @ApiProperty() name: string;
  @ApiProperty() created_at: string;
}

// ── personal access tokens ─────────────────────────────────────────────────────────────────────────────
export class CreateTokenDto {
  @ApiProperty({ example: 'MCP Server - Laptop', minLength: 1, maxLength: 100 })
  @IsString() @IsNotEmpty() @MaxLength(100) @Matches(/\S/, { message: 'must not be blank' }) name: string;

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', nullable: true, type: String, format: 'date-time', description: 'RFC 3339; omitted = never expires; must be in the future' })
  @IsOptional() @IsDateString({ strict: true }, { message: 'must be an RFC 3339 date-time' }) expires_at?: string | null;
}

export class TokenDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'kbn_pat_a1b2c3d4' }) token_prefix: string;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) expires_at: string | null;
  @ApiProperty({ nullable: true, type: String }) last_used_at: string | null;
}

export class CreatedTokenDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'kbn_pat_a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4', description: 'Shown only in this response' }) token: string;
  @ApiProperty({ example: 'kbn_pat_a1b2c3d4' }) token_prefix: string;
  @ApiProperty() created_at: string;
  @ApiProperty({ nullable: true, type: String }) expires_at: string | null;
}

// ── me ─────────────────────────────────────────────────────────────────────────────────────────────────
export class RateLimitConfigDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['observe', 'enforce'] }) mode: string;
  @ApiProperty({ enum: ['principal', 'org', 'ip'] }) key_by: string;
  @ApiProperty({ description: 'The bucket key of this caller' }) key: string;
  @ApiProperty({ description: 'Sustained requests per second', example: 1.6667 }) rps: number;
  @ApiProperty({ example: 200 }) burst: number;
  @ApiProperty({ example: 100 }) per_minute: number;
  @ApiProperty({ description: 'Deployment stage (NODE_ENV)', example: 'production' }) stage: string;
}

export class NotificationPrefDto {
  @ApiProperty({ enum: CANONICAL_NOTIFICATION_TYPES }) @IsIn(CANONICAL_NOTIFICATION_TYPES, { message: `must be one of ${CANONICAL_NOTIFICATION_TYPES.join(', ')}` }) event_type: NotificationType;
  @ApiProperty() @IsBoolean() muted: boolean;
}

export class NotificationPrefsDto {
  @ApiProperty() notifications_enabled: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'U12•••XYZ' }) slack_user_id: string | null;
  @ApiProperty({ type: [NotificationPrefDto] }) prefs: NotificationPrefDto[];
}

export class UpdateNotificationPrefsDto {
  @ApiPropertyOptional({ description: 'Master toggle' }) @IsOptional() @IsBoolean() notifications_enabled?: boolean;
  @ApiPropertyOptional({ type: [NotificationPrefDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => NotificationPrefDto) prefs?: NotificationPrefDto[];
}

export class StatusOkDto {
  @ApiProperty({ example: 'ok' }) status: string;
}
