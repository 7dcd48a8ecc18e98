import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { ALIAS_KINDS, AliasKind } from '../domain/lead-events';
import { LeadDisqualificationDto } from './lead-reads.dto';

export const MAX_BULK_OWNER_LEADS = 500;
const ID_MAX = 256;
const OWNER_MAX = 200;

export class CreateLeadDto {
  @ApiProperty({ example: 'ld_123', description: 'Public lead id, unique in the active OU (1–256 characters)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ID_MAX)
  id: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { industry: 'SaaS' }, description: 'At most 100 KB of JSON (413 beyond)' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Account the lead belongs to (its public id; with ABM on the lead is grouped into that account)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(ID_MAX)
  account_id?: string | null;
}

export class ReplaceLeadDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { industry: 'SaaS', plan: 'Pro' }, description: 'Replaces the whole metadata object' })
  @IsObject()
  metadata: Record<string, unknown>;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Set (or, with null, unlink) the account; omitted = unchanged' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(ID_MAX)
  account_id?: string | null;
}

export class LeadDto {
  @ApiProperty({ example: 'ld_123', description: 'Public lead id' }) id: string;
  @ApiProperty({ example: 'ld_123', description: 'Public lead id (same as id)' }) lead_id: string;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'The account id the lead was given; in GET /lead/{leadID} the public id of the account it is grouped into (ABM) when it is in one',
  })
  account_id: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) owner_id: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) owner_name: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Always null here: a merged-away lead is not served by this endpoint' }) merged_into:
    string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'Last unsuppressed event' }) last_event_at: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) last_event_type: string | null;
  @ApiProperty({ description: 'Unsuppressed events recorded' }) event_count: number;
  @ApiProperty({
    description: 'Fit score of the primary profile ruleset on the current attributes (PRF-8; kept by a projection, so a metadata change shows moments later)',
  })
  profile_score: number;
  @ApiProperty({ type: String, nullable: true }) profile_level: string | null;
  @ApiProperty({ description: 'A hard-DQ rule matches the lead (PRF-9)' }) disqualified: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) disqualified_at: string | null;
  @ApiProperty({ type: LeadDisqualificationDto, nullable: true, description: 'Rule, ruleset, dimension and reason (PRF-11)' })
  disqualification: LeadDisqualificationDto | null;
}

export class LeadDetailDto extends LeadDto {
  @ApiProperty({ example: 42, description: 'Highest engagement score across the active rulesets of the OU, exact as of now (rounded)' }) score: number;
}

/** The account a lead is grouped into, as an account list row shows it (ACC-3). */
export class LeadAccountSummaryDto {
  @ApiProperty({ example: 'acct_acme.com', description: 'Public id of the account' }) account_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'Acme' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'acme.com' }) domain: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ description: 'Highest lead score in the account (qualified leads)' }) top_score: number;
  @ApiProperty({ description: 'Qualified leads of the account' }) leads_count: number;
  @ApiProperty({ description: 'Summed engagement score of the account’s qualified leads' }) engagement_score: number;
  @ApiProperty({ nullable: true, type: String, description: 'Owner of the top-scoring lead' }) owner_name: string | null;
  @ApiProperty({ description: 'A lead of the account surged in the last 24 hours' }) surging: boolean;
  @ApiProperty({ description: 'Account (firmographic) score' }) account_score: number;
  @ApiProperty({ nullable: true, type: String }) account_level: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_activity_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class LeadWithAccountDto {
  @ApiProperty({ type: LeadDetailDto }) lead: LeadDetailDto;
  @ApiProperty({
    type: LeadAccountSummaryDto,
    nullable: true,
    description: 'The account the lead is grouped into (ABM), null when it is in none',
  })
  account: LeadAccountSummaryDto | null;
}

export class LeadMetadataDto {
  @ApiProperty({ example: 'ld_123', description: 'Public lead id' }) id: string;
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The full metadata after the change' }) metadata: Record<string, unknown>;
}

export class LeadAliasDto {
  @ApiProperty({ description: 'Stable id of the alias' }) id: string;
  @ApiProperty({ enum: ALIAS_KINDS }) kind: string;
  @ApiProperty({ example: 'alex@example.com', description: 'Normalised value (trimmed; e-mail addresses lower-cased)' }) value: string;
  @ApiProperty({ format: 'date-time', description: 'First seen' }) created_at: string;
}

export class LeadAliasesDto {
  @ApiProperty({ type: [LeadAliasDto] }) aliases: LeadAliasDto[];
}

export class ByAliasQueryDto {
  @ApiPropertyOptional({ enum: ALIAS_KINDS, default: 'email' }) @IsOptional() @IsIn(ALIAS_KINDS as unknown as string[]) kind?: AliasKind;
  @ApiProperty({ example: 'alex@example.com' }) @IsString() @IsNotEmpty() @MaxLength(1000) value: string;
}

export class LeadByAliasDto {
  @ApiProperty({ example: 'ld_abc123' }) lead_id: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'alex@example.com', description: 'The lead’s first e-mail alias' }) email: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
}

export class UpdateMetadataByAliasDto {
  @ApiPropertyOptional({ enum: ALIAS_KINDS, default: 'email' }) @IsOptional() @IsIn(ALIAS_KINDS as unknown as string[]) alias_kind?: AliasKind;
  @ApiProperty({ example: 'alex@example.com' }) @IsString() @IsNotEmpty() @MaxLength(1000) alias_value: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Merged into the metadata (null removes a key). Keys: 1–64 letters, digits, underscores, dashes, dots or spaces. Required without account_id.',
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Account to link. Required without attributes.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ID_MAX)
  account_id?: string;
}

export class MetadataByAliasResultDto {
  @ApiProperty({ example: 'ld_abc123' }) lead_id: string;
  @ApiProperty({ example: 2, description: 'Number of attribute keys written (removals included)' }) updated: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The attributes as applied' }) attributes: Record<string, unknown>;
  @ApiProperty({ description: 'Whether account_id was linked' }) account_linked: boolean;
}

export class LeadProfileDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The lead’s metadata (profile attributes)' }) metadata: Record<string, unknown>;
}

export class LeadAccountDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Public id of the account the lead is grouped into, else the account id it was given, else null',
  })
  account_id: string | null;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'The metadata of the account the lead is grouped into (ABM); null when it is in none',
  })
  metadata: Record<string, unknown> | null;
}

export class AssignOwnerDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'User id of the new owner; null (with owner_name null) unassigns' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(OWNER_MAX)
  owner_id?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Display name of the new owner' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(OWNER_MAX)
  owner_name?: string | null;
}

export class BulkAssignOwnerDto extends AssignOwnerDto {
  @ApiProperty({ type: [String], maxItems: MAX_BULK_OWNER_LEADS, minItems: 1, description: 'Public lead ids (unknown ones are skipped)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_OWNER_LEADS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  lead_ids: string[];
}

export class OwnerAssignedDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ enum: ['owner assigned', 'owner unassigned'] }) message: string;
}

export class BulkOwnerAssignedDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ description: 'Leads of the active OU that were assigned (unknown ids are not counted)' }) affected: number;
}

export const DELETION_STATUSES = ['pending', 'in_progress', 'completed', 'failed'] as const;

export class LeadDeletionAcceptedDto {
  @ApiProperty({ example: 'Lead deletion initiated' }) message: string;
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ enum: DELETION_STATUSES }) status: string;
}

export class LeadDeletionStatusDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ enum: DELETION_STATUSES }) status: string;
  @ApiProperty({ format: 'date-time' }) requested_at: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) completed_at: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why the last attempt failed (status failed)' }) error: string | null;
}
