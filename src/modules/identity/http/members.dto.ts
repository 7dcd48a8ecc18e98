import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ORG_ROLES } from '../domain/access';
import type { OrgRole } from '../../../platform/tenancy';

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
  @IsString()
  @MaxLength(32)
  @Matches(/^U[A-Z0-9]+$/, { message: 'must be U followed by upper-case letters and digits' })
  slack_user_id: string;
}

export class SlackUserIdResultDto {
  @ApiProperty() org_member_id: string;
  @ApiProperty() slack_user_id: string;
}
