import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto, RELATIVE_RANGES, RelativeRange } from '../../../platform/http';
import { COMMITTEE_ROLES, CommitteeRole } from '../domain';

const asBoolean = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);

export const ACCOUNT_SORTS = ['name', 'score', 'engagement', 'last_activity', 'owner_name'] as const;
export const INTENT_LEVELS = ['all', 'low', 'medium', 'high'] as const;

export class AccountListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RELATIVE_RANGES, default: 'all', description: 'Named window on the account’s `created_at` (UTC)' })
  @IsOptional()
  @IsIn(RELATIVE_RANGES)
  range?: RelativeRange;

  @ApiPropertyOptional({ maxLength: 200, description: 'Account name or domain contains this text (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({
    enum: INTENT_LEVELS,
    default: 'all',
    description: 'top_score band: low 0–24, medium 25–49, high ≥ 50 (ACC-3 suggested default)',
  })
  @IsOptional()
  @IsIn(INTENT_LEVELS)
  intent_level?: (typeof INTENT_LEVELS)[number];

  @ApiPropertyOptional({
    enum: ACCOUNT_SORTS,
    default: 'score',
    description: 'name; score = top_score; engagement = summed lead engagement scores; last_activity; owner_name',
  })
  @IsOptional()
  @IsIn(ACCOUNT_SORTS)
  sort_by?: (typeof ACCOUNT_SORTS)[number];

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  sort_order?: 'asc' | 'desc';

  @ApiPropertyOptional({ maxLength: 200, description: 'Account level name (exact)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  account_level?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Minimum account score (inclusive)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  min_score?: number;

  @ApiPropertyOptional({ maxLength: 200, description: 'Owner display name contains (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  owner_name?: string;

  @ApiPropertyOptional({ type: 'boolean', description: 'true: only accounts with at least one lead' })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean()
  has_leads?: boolean;

  @ApiPropertyOptional({ type: 'boolean', description: 'true: only surging accounts (a lead surged in the last 24 hours, SUR-10); false: only the others' })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean()
  surging?: boolean;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Include disqualified leads in the aggregates (default: qualified only)' })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean()
  include_disqualified?: boolean;
}

export class AccountRowDto {
  @ApiProperty({ example: 'acct_acme.com' }) account_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'Acme' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'acme.com' }) domain: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ description: 'Highest lead score in the account' }) top_score: number;
  @ApiProperty() leads_count: number;
  @ApiProperty({ description: 'Summed engagement score of the account’s leads' }) engagement_score: number;
  @ApiProperty({ nullable: true, type: String, description: 'Owner of the top-scoring lead' }) owner_name: string | null;
  @ApiProperty({ description: 'A lead of the account surged in the last 24 hours' }) surging: boolean;
  @ApiProperty({ description: 'Account (firmographic) score' }) account_score: number;
  @ApiProperty({ nullable: true, type: String }) account_level: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_activity_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class AccountListDto {
  @ApiProperty({ type: [AccountRowDto] }) accounts: AccountRowDto[];
  @ApiProperty({ description: 'Exact up to 10,000 matching accounts (and on the last page); beyond, PostgreSQL’s estimate (see total_exact)' }) total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
  @ApiProperty({ description: 'false when `total` is the planner’s estimate' }) total_exact: boolean;
}

export class AccountLookupQueryDto {
  @ApiPropertyOptional({ maxLength: 253, example: 'acme.com', description: 'Checked first' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(253)
  domain?: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Acme Corporation', description: 'Exact name (case-insensitive), the fallback' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

export class AccountRefDto {
  @ApiProperty({ example: 'acct_abc123' }) account_id: string;
  @ApiProperty({ nullable: true, type: String, example: 'Acme Corporation' }) name: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'acme.com' }) domain: string | null;
}

export class AccountFuzzyQueryDto {
  @ApiProperty({ maxLength: 200, example: 'Salesforce LLC' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;
}

export class AccountMatchDto extends AccountRefDto {
  @ApiProperty({ description: 'max(Jaro-Winkler, token set ratio / 100), 0–1', example: 0.93 }) similarity: number;
}

export class AccountFuzzyDto {
  @ApiProperty({ type: [AccountMatchDto], description: 'At most 5, similarity > 0.6, best first' }) matches: AccountMatchDto[];
}

export class AccountIdsDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: 500, example: ['acct_acme.com'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(200, { each: true })
  ids: string[];
}

export class AccountDeleteResultDto {
  @ApiProperty({ description: 'Leads unlinked from the accounts' }) leads_unlinked: number;
  @ApiProperty({ description: 'Accounts deleted (no lead references them any more)' }) accounts_deleted: number;
}

export class AccountLeadDto {
  @ApiProperty() lead_id: string;
  @ApiProperty() score: number;
  @ApiProperty() profile_score: number;
  @ApiProperty() disqualified: boolean;
  @ApiProperty({ nullable: true, type: String }) owner_name: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_event_at: string | null;
}

export class AccountEventDto {
  @ApiProperty() event_id: string;
  @ApiProperty() lead_id: string;
  @ApiProperty() event_type: string;
  @ApiProperty({ format: 'date-time' }) occurred_at: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
}

export class AccountDetailDto extends AccountRowDto {
  @ApiProperty() org_id: string;
  @ApiProperty({ type: [AccountLeadDto], description: 'Live leads of the account, by score (disqualified ones included, flagged)' }) leads: AccountLeadDto[];
  @ApiProperty({ type: [AccountEventDto], description: 'The 20 latest events of its leads' }) recent_events: AccountEventDto[];
}

export class AccountMetadataPatchDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'The account’s company name' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 253, description: 'The account’s primary e-mail domain' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, { message: 'must be a domain such as acme.com' })
  @MaxLength(253)
  domain?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Keys merged into the metadata; a null value removes the key' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class AccountMergeDto {
  @ApiProperty({ example: 'acct_def456', description: 'The account that receives the leads and deals' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  target_id: string;
}

export class AccountMergeResultDto {
  @ApiProperty({ example: 8 }) leads_reassigned: number;
  @ApiProperty({ example: 3 }) deals_reassigned: number;
}

export class AccountFactorDto {
  @ApiProperty({ enum: ['engagement', 'profile', 'account', 'committee'] }) kind: string;
  @ApiProperty({ example: 'Pricing Page Visit' }) label: string;
  @ApiProperty({ description: 'The maximum contribution among the qualified contacts' }) points: number;
  @ApiProperty({ nullable: true, type: String, description: 'The contact the maximum came from' }) lead_id: string | null;
}

export class AccountWhyDto {
  @ApiProperty() account_id: string;
  @ApiPropertyOptional({ example: 'No qualified contacts in this account.' }) summary?: string;
  @ApiProperty({ type: [AccountFactorDto] }) factors: AccountFactorDto[];
  @ApiProperty() contributing_lead_count: number;
  @ApiProperty() total_contact_count: number;
  @ApiProperty() mostly_disqualified: boolean;
}

export class CommitteeMemberInputDto {
  @ApiProperty({ example: 'ld_123', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lead_id: string;

  @ApiProperty({ enum: COMMITTEE_ROLES })
  @IsIn(COMMITTEE_ROLES)
  role: CommitteeRole;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

export class CommitteeMemberDto {
  @ApiProperty() id: string;
  @ApiProperty() lead_id: string;
  @ApiProperty() account_id: string;
  @ApiProperty({ enum: COMMITTEE_ROLES }) role: string;
  @ApiProperty() engagement_score: number;
  @ApiProperty() activity_count: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) first_engagement_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_engagement_at: string | null;
  @ApiProperty() is_manual: boolean;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({ nullable: true, type: String }) best_alias: string | null;
  @ApiProperty({ nullable: true, type: String }) first_name: string | null;
  @ApiProperty({ nullable: true, type: String }) last_name: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ nullable: true, type: String }) company_name: string | null;
  @ApiProperty({ nullable: true, type: String }) engagement_level: string | null;
  @ApiProperty({ nullable: true, type: String }) profile_level: string | null;
  @ApiProperty({ nullable: true, type: String }) owner_name: string | null;
}

export class BackfillAccountMappingResultDto {
  @ApiProperty() leads_processed: number;
  @ApiProperty() accounts_linked: number;
  @ApiProperty() accounts_created: number;
  @ApiProperty() profile_scores_updated: number;
}

export class BackfillEventAccountIdResultDto {
  @ApiProperty() events_scanned: number;
  @ApiProperty() events_updated: number;
  @ApiProperty() leads_without_account: number;
}
