import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ALIAS_KINDS, AliasKind } from '../../leads';

/** RFC 3339 date-time with an explicit offset (ING-2). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export class IngestAliasDto {
  @ApiProperty({ enum: ALIAS_KINDS, example: 'email' }) @IsIn(ALIAS_KINDS as unknown as string[]) alias_kind: AliasKind;
  @ApiProperty({ example: 'jane@example.com' }) @IsString() @IsNotEmpty() @MaxLength(320) raw_value: string;
}

export class IngestEventDto {
  @ApiPropertyOptional({ example: 'ld_123', description: 'Existing lead identifier; optional when aliases are provided' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  lead_id?: string;

  @ApiPropertyOptional({ type: [IngestAliasDto], description: 'Preferred. One or more aliases to identify or create a lead' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => IngestAliasDto)
  aliases?: IngestAliasDto[];

  @ApiPropertyOptional({ enum: ALIAS_KINDS, deprecated: true, description: 'Deprecated. Use aliases array.' })
  @IsOptional()
  @IsIn(ALIAS_KINDS as unknown as string[])
  alias_kind?: AliasKind;

  @ApiPropertyOptional({ deprecated: true, description: 'Deprecated. Use aliases array.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  alias?: string;

  @ApiProperty({ example: 'Page View' }) @IsString() @Matches(/\S/, { message: 'must not be blank' }) @MaxLength(200) event_type: string;

  @ApiPropertyOptional({ example: '2025-08-15T12:00:00Z', description: 'RFC 3339; defaults to the time of receipt' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, { message: 'must be an RFC 3339 date-time such as 2025-08-15T12:00:00Z' })
  timestamp?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { path: '/pricing' },
    description: 'Arbitrary JSON, at most 100 KB (413 beyond)',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'evt-2025-08-15-0001',
    description: 'Client event id: resending an event with the same id (in the same OU) records and scores it once',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  event_id?: string;
}

export class IngestAcceptedDto {
  @ApiProperty({ example: 'event ingested' }) message: string;
  @ApiProperty({ example: 1, description: 'Events durably queued by this request' }) accepted: number;
  @ApiProperty({ type: [String], description: 'Server event ids, in request order (stable for a client event id)' }) event_ids: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Single-event form: the metadata as queued' })
  metadata?: Record<string, unknown>;
}

export class ImportAcceptedDto {
  @ApiProperty({ example: 'import queued' }) message: string;
  @ApiProperty({ example: 998, description: 'Rows queued as events' }) imported: number;
  @ApiProperty({ example: 2, description: 'Rows rejected' }) errors: number;
  @ApiProperty({ description: 'First 100 row errors: CSV line number, field and reason', type: 'array', items: { type: 'object' } })
  row_errors: { row: number; field?: string; reason: string }[];
}
