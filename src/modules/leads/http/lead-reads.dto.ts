import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, Max, Min, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export const RANGES = ['all', 'today', 'yesterday', 'last_24h', 'last_7d', 'last_30d', 'last_90d'] as const;
export const LAST_ACTIVE = ['any', '7d', '30d'] as const;
export const SORT_BY = ['score', 'created_at', 'last_event_at'] as const;
export const SORT_ORDER = ['asc', 'desc'] as const;
export type SortBy = (typeof SORT_BY)[number];

const asBoolean = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);

/** The filters and sort shared by `GET /leads` and `GET /leads/export` (LEAD-12, LEAD-14). */
export class LeadFilterQueryDto {
  @ApiPropertyOptional({ enum: RANGES, default: 'all', description: 'Named window on `created_at` (UTC days; `today` = since 00:00 UTC)' })
  @IsOptional()
  @IsIn(RANGES)
  range?: (typeof RANGES)[number];

  @ApiPropertyOptional({ type: 'integer', description: 'Minimum engagement score (the displayed, rounded `score`; inclusive)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  min_score?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Maximum engagement score (the displayed, rounded `score`; inclusive)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  max_score?: number;

  @ApiPropertyOptional({ description: 'The lead’s last event type (either naming: "Page View" or page_view)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  event_type?: string;

  @ApiPropertyOptional({ enum: LAST_ACTIVE, default: 'any', description: 'Last activity within the last 7 or 30 days' })
  @IsOptional()
  @IsIn(LAST_ACTIVE)
  last_active?: (typeof LAST_ACTIVE)[number];

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description: 'Include disqualified leads (a matching hard-DQ rule, PRF-9). Defaults to false (qualified-only).',
  })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean()
  include_disqualified?: boolean;

  @ApiPropertyOptional({ description: 'Lead-id prefix or alias-value prefix (email, phone, …), at least 2 characters' })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(320)
  search?: string;

  @ApiPropertyOptional({ description: 'Engagement level name (exact): leads whose current engagement level has this name' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  engagement_level?: string;

  @ApiPropertyOptional({ description: 'Profile level name (exact): leads whose current profile level has this name' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  profile_level?: string;

  @ApiPropertyOptional({
    enum: SORT_BY,
    default: 'score',
    description: '`score` (engagement), `created_at` or `last_event_at` (last activity; leads without events sort as the oldest). Ties by lead.',
  })
  @IsOptional()
  @IsIn(SORT_BY)
  sort_by?: SortBy;

  @ApiPropertyOptional({ enum: SORT_ORDER, default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDER)
  sort_order?: (typeof SORT_ORDER)[number];
}

export class LeadListQueryDto extends LeadFilterQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1, description: 'Page number, from 1' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50, description: 'Items per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

/** `leads.disqualification`: which rule disqualified the lead and why (PRF-11). */
export class LeadDisqualificationDto {
  @ApiProperty() rule_id: string;
  @ApiProperty() ruleset_id: string;
  @ApiProperty({ enum: ['profile', 'account'] }) dimension: string;
  @ApiProperty({ example: 'email is empty' }) rule_name: string;
  @ApiProperty() reason: string;
}

export class LeadListItemDto {
  @ApiProperty() org_id: string;
  @ApiProperty() unit_id: string;
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ nullable: true, description: 'First email alias, else any alias' }) alias: string | null;
  @ApiProperty({
    example: 42,
    description:
      'Engagement score used for levels: the primary engagement ruleset’s score (0 without a primary), rounded; materialised as of the last recompute (decay refreshed hourly)',
  })
  score: number;
  @ApiProperty({ nullable: true, description: 'The engagement ruleset `score` comes from (the primary); null when the OU has none' }) ruleset_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Rounded score per engagement ruleset the lead earned points in' })
  engagement_scores: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Profile score by the primary profile ruleset (empty when the OU has none)',
  })
  profile_scores: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Names of the rulesets in `engagement_scores` (and the primary)' })
  ruleset_names: Record<string, string>;
  @ApiProperty({ nullable: true }) engagement_primary_ruleset_name: string | null;
  @ApiProperty({ nullable: true, description: 'Name of the primary profile ruleset' }) profile_primary_ruleset_name: string | null;
  @ApiProperty({
    nullable: true,
    description: 'Name of the engagement level whose range contains the rounded `score` (levels in effect: the primary ruleset’s); null when it is in none',
  })
  engagement_level: string | null;
  @ApiProperty({
    description: 'Fit score: sum of the weights of the matching add_points rules of the primary profile ruleset on the lead’s current attributes (PRF-8)',
  })
  profile_score: number;
  @ApiProperty({ nullable: true, description: 'Name of the profile level whose range contains the rounded profile_score; null when it is in none' })
  profile_level: string | null;
  @ApiProperty({
    description: 'PRF-5: profile_score is below score_floor_pct × the maximum achievable score of the primary profile ruleset (false when it has no floor)',
  })
  below_floor: boolean;
  @ApiProperty({ description: 'A hard-DQ rule matches the lead (PRF-9)' }) disqualified: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'When the lead was disqualified (RFC 3339)' }) disqualified_at: string | null;
  @ApiProperty({ type: LeadDisqualificationDto, nullable: true, description: 'The rule, ruleset, dimension and reason (PRF-11)' })
  disqualification: LeadDisqualificationDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Public id of the account the lead is grouped into (ABM), else the account id it was given' })
  account_id: string | null;
  @ApiProperty({ nullable: true }) owner_id: string | null;
  @ApiProperty({ nullable: true }) owner_name: string | null;
  @ApiProperty({ nullable: true }) last_event_at: string | null;
  @ApiProperty({ nullable: true }) last_event_type: string | null;
  @ApiProperty() event_count: number;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class LeadListDto {
  @ApiProperty({ type: [LeadListItemDto] }) leads: LeadListItemDto[];
  @ApiProperty({
    description:
      'Leads matching the filters: exact on the last page and whenever about 10,000 or fewer match; otherwise PostgreSQL’s estimate (see total_exact)',
  })
  total: number;
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
  @ApiProperty({
    description:
      'false when `total` is the planner’s estimate: the planner expects more than 10,000 matches and this page is not the last (an exact count would scan every match; on 1M leads that is hundreds of ms)',
  })
  total_exact: boolean;
}

export class LeadSearchQueryDto {
  @ApiProperty({ minLength: 2, description: 'Lead-id prefix or alias-value prefix (case-insensitive for aliases)' })
  @IsString()
  @MinLength(2)
  @MaxLength(320)
  q: string;
}

export class LeadSearchItemDto {
  @ApiProperty() lead_id: string;
  @ApiProperty({ nullable: true, description: 'First email alias, else any alias' }) alias: string | null;
  @ApiProperty({ nullable: true, description: 'The alias that matched (null when the lead id did)' }) matched_alias: string | null;
  @ApiProperty({ description: 'Primary engagement score (as listed)' }) score: number;
  @ApiProperty({ nullable: true }) last_event_at: string | null;
  @ApiProperty() created_at: string;
}

export class BatchScoresDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: 500, description: 'Public lead ids of the active OU' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  lead_ids: string[];

  @ApiPropertyOptional({ default: 'primary', description: '`primary` (default) or an engagement ruleset id or name of the active OU' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  ruleset?: string;
}

export class BatchScoreItemDto {
  @ApiProperty() lead_id: string;
  @ApiProperty({ description: 'Exact as of now (decay applied at read time), rounded; 0 when the OU has no primary ruleset' }) score: number;
  @ApiProperty({ nullable: true, description: 'The ruleset the score comes from; null when the OU has no primary' }) ruleset_id: string | null;
}

export class LeadScoreStateDto {
  @ApiProperty() lead_id: string;
  @ApiProperty({ description: 'Highest score across the active engagement rulesets (as GET /score/{leadID}), exact as of now, rounded' }) score: number;
  @ApiProperty({ nullable: true, description: 'The ruleset the score comes from' }) ruleset_id: string | null;
  @ApiProperty({ description: 'A hard-DQ rule matches the lead (PRF-9)' }) disqualified: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The matching hard-DQ rule' }) disqualified_by_rule_id: string | null;
  @ApiProperty({ nullable: true, type: String }) disqualified_at: string | null;
  @ApiProperty({ nullable: true, type: String }) disqualified_reason: string | null;
  @ApiProperty({ description: 'Profile score (PRF-8)' }) profile_score: number;
  @ApiProperty({ nullable: true, type: String }) profile_level: string | null;
}
