import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../../platform/http';
import { ALIAS_KINDS } from '../../leads';

export const PRIMARY_KINDS = [...ALIAS_KINDS, 'lead_id'] as const;
export type PrimaryKind = (typeof PRIMARY_KINDS)[number];

export class DetectedIdentifiersDto {
  @ApiProperty({ type: [String], example: ['Email'], description: 'Columns named like an e-mail column, or whose sample values all look like addresses' })
  email_columns: string[];
  @ApiProperty({ type: [String], example: ['Mobile'], description: 'Columns named like a phone column, or whose sample values all look like phone numbers' })
  phone_columns: string[];
}

export class ImportPreviewDto {
  @ApiProperty({ example: 'preview_0190f4c2a1b27c3d8e9f001122334455', description: 'Pass to POST /leads/import/start within the hour' }) file_id: string;
  @ApiProperty({ example: 'contacts.csv' }) file_name: string;
  @ApiProperty({ type: [String], example: ['Email', 'Company', 'Mobile'], description: 'The header row, in file order' }) headers: string[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: { type: 'string' } },
    example: [{ Email: 'jane@example.com', Company: 'Acme', Mobile: '+1 555 0100' }],
    description: 'The first 5 data rows, keyed by header',
  })
  sample_rows: Record<string, string>[];
  @ApiProperty({ example: 1200, description: 'Data rows (the header row and empty lines not counted)' }) row_count: number;
  @ApiProperty({ type: DetectedIdentifiersDto }) auto_detected_identifiers: DetectedIdentifiersDto;
  @ApiProperty({ example: '2025-08-15T13:00:00.000Z', description: 'One hour after the upload' }) expires_at: string;
}

export class PrimaryIdentifierDto {
  @ApiProperty({ example: 'Email', description: 'A header of the file' }) @IsString() @IsNotEmpty() @MaxLength(500) column: string;
  @ApiProperty({ enum: PRIMARY_KINDS, example: 'email', description: 'Alias kind the column holds; `lead_id` = the public lead id' })
  @IsIn(PRIMARY_KINDS as unknown as string[])
  kind: PrimaryKind;
}

export class StartImportDto {
  @ApiProperty({ example: 'preview_0190f4c2a1b27c3d8e9f001122334455' }) @IsString() @IsNotEmpty() @MaxLength(100) file_id: string;
  @ApiProperty({ type: PrimaryIdentifierDto }) @ValidateNested() @Type(() => PrimaryIdentifierDto) primary_identifier: PrimaryIdentifierDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { Company: 'company', 'Job Title': 'title' },
    description:
      'CSV column → lead metadata (profile) field, 1–64 characters of letters, digits, `_ - .` and space. Merged into the lead’s metadata; empty cells leave the field as it is.',
  })
  @IsOptional()
  @IsObject()
  field_mappings?: Record<string, string>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...ALIAS_KINDS] },
    example: { Mobile: 'phone' },
    description: 'CSV column → alias kind to attach to the lead. An alias already owned by another lead is not moved (reported as a row error).',
  })
  @IsOptional()
  @IsObject()
  alias_mappings?: Record<string, string>;
}

export class ImportRowErrorDto {
  @ApiProperty({ example: 7, description: 'Line of the CSV file (the header is line 1)' }) row: number;
  @ApiPropertyOptional({ example: 'Mobile', description: 'The column concerned, when one is' }) column?: string;
  @ApiProperty({ example: "phone alias '+1 555 0100' belongs to another lead (ld_…)" }) reason: string;
}

export class ImportJobDto {
  @ApiProperty({ example: 'import_0190f4c2a1b27c3d8e9f001122334455' }) job_id: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status: string;
  @ApiProperty({ description: 'The uploaded file being imported' }) file_id: string;
  @ApiProperty() file_name: string;
  @ApiProperty({ description: 'Data rows of the file' }) total_rows: number;
  @ApiProperty({ description: 'Rows handled so far (created + updated + skipped)' }) processed_rows: number;
  @ApiProperty({ description: 'Rows that created a new lead' }) created_leads: number;
  @ApiProperty({ description: 'Rows that matched an existing lead (metadata merged, aliases attached)' }) updated_leads: number;
  @ApiProperty({ description: 'All problems found, including those beyond the listed first 100' }) error_count: number;
  @ApiProperty({ type: [ImportRowErrorDto], description: 'The first 100 row problems' }) errors: ImportRowErrorDto[];
  @ApiPropertyOptional({ nullable: true, description: 'Why a failed job stopped' }) failure_reason: string | null;
  @ApiProperty() created_at: string;
  @ApiPropertyOptional({ nullable: true }) started_at: string | null;
  @ApiPropertyOptional({ nullable: true }) finished_at: string | null;
}

export class ImportJobListDto {
  @ApiProperty({ type: [ImportJobDto] }) jobs: ImportJobDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

export class ImportJobsQueryDto extends PageQueryDto {}
