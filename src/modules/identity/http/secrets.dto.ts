import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export class CreateSecretDto {
  @ApiProperty({ minLength: 1, maxLength: 50, description: 'Human-friendly label for this credential (1–50 chars)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;
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
