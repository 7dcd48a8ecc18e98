import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateTokenDto {
  @ApiProperty({ example: 'MCP Server - Laptop', minLength: 1, maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiPropertyOptional({
    example: '2027-01-01T00:00:00Z',
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'RFC 3339; omitted = never expires; must be in the future',
  })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an RFC 3339 date-time' })
  expires_at?: string | null;
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
