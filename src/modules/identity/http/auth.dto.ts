import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ORG_ROLES } from '../domain/access';

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
