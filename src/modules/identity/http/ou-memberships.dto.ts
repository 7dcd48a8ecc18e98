import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { OU_ROLES } from '../domain/access';
import type { OuRole } from '../../../platform/tenancy';

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
