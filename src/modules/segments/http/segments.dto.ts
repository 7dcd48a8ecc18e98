import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../../platform/http';
import { LOGIC_OPS, type LogicOp, OPERATORS, RULE_TYPES, type RuleType } from '../domain/segment-rules';

const asBoolean = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);
const MAX_GROUP = 1_000_000;

export class SegmentBodyDto {
  @ApiProperty({ example: 'Marketing Leads', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiPropertyOptional({ example: 'Leads from marketing sources', nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ default: true, description: 'Inactive segments keep their rules and count 0 (SEG-6)' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class SegmentDto {
  @ApiProperty({ example: 'sg_marketing' }) segment_id: string;
  @ApiProperty({ example: 'Marketing Leads' }) name: string;
  @ApiProperty({ nullable: true, type: String, example: 'Leads from marketing sources' }) description: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

const RULE_HOW =
  'Level rules (engagement_level, profile_level, account_level) compare the level name and accept only equals / not_equals; ' +
  'gt, lt, gte, lte need a numeric value and hold only for numeric field values; text comparisons ignore case; ' +
  'value is required unless the operator is is_empty / is_not_empty. event_metadata holds when any event of event_type ' +
  '(any type when empty) of the lead satisfies the condition on metadata[field_name].';

/** Fields of a rule; all optional here (the create body requires its own). */
class SegmentRuleFieldsDto {
  @ApiPropertyOptional({ example: 'Industry is SaaS', nullable: true, type: String, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  rule_name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 200, description: 'event_metadata: the event type whose events are read (any when empty)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  event_type?: string | null;

  @ApiPropertyOptional({ default: 0, description: 'Rules of one group are folded left to right; groups are AND-ed (SEG-10)' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_GROUP)
  @Max(MAX_GROUP)
  logic_group?: number;

  @ApiPropertyOptional({ enum: LOGIC_OPS, default: 'AND', description: 'Joins this rule to the previous one of its group (ignored on a group’s first rule)' })
  @IsOptional()
  @IsIn(LOGIC_OPS)
  logic_op?: LogicOp;

  @ApiPropertyOptional({ default: 0, description: 'Order inside the group' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_GROUP)
  @Max(MAX_GROUP)
  order_index?: number;

  @ApiPropertyOptional({ default: true, description: 'Inactive rules are kept and ignored' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class CreateSegmentRuleDto extends SegmentRuleFieldsDto {
  @ApiProperty({ enum: RULE_TYPES, example: 'lead_metadata', description: RULE_HOW })
  @IsIn(RULE_TYPES)
  rule_type: RuleType;

  @ApiProperty({ example: 'industry', maxLength: 200, description: 'Metadata key (level rules: any label, e.g. "level")' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  field_name: string;

  @ApiProperty({ enum: OPERATORS, example: 'equals' })
  @IsIn(OPERATORS)
  operator: string;

  @ApiPropertyOptional({ example: 'SaaS', nullable: true, type: String, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  value?: string | null;
}

/** Partial update: only the fields sent change; the rule as it ends up is validated whole. */
export class UpdateSegmentRuleDto extends SegmentRuleFieldsDto {
  @ApiPropertyOptional({ enum: RULE_TYPES, description: RULE_HOW })
  @IsOptional()
  @IsIn(RULE_TYPES)
  rule_type?: RuleType;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  field_name?: string;

  @ApiPropertyOptional({ enum: OPERATORS })
  @IsOptional()
  @IsIn(OPERATORS)
  operator?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  value?: string | null;
}

export class SegmentRuleDto {
  @ApiProperty({ example: 'sgr_1' }) rule_id: string;
  @ApiProperty() segment_id: string;
  @ApiProperty() org_id: string;
  @ApiProperty({ nullable: true, type: String }) rule_name: string | null;
  @ApiProperty({ enum: RULE_TYPES }) rule_type: RuleType;
  @ApiProperty() field_name: string;
  @ApiProperty({ enum: OPERATORS }) operator: string;
  @ApiProperty({ nullable: true, type: String }) value: string | null;
  @ApiProperty({ nullable: true, type: String }) event_type: string | null;
  @ApiProperty() logic_group: number;
  @ApiProperty({ enum: LOGIC_OPS }) logic_op: LogicOp;
  @ApiProperty() order_index: number;
  @ApiProperty() active: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
}

export class IncludeDisqualifiedQueryDto {
  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'When true, include disqualified leads. Defaults to false (qualified-only).' })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean()
  include_disqualified?: boolean;
}

export class SegmentLeadsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'When true, include disqualified leads. Defaults to false (qualified-only).' })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean()
  include_disqualified?: boolean;
}

export class OverlapQueryDto {
  @ApiProperty({ description: 'ID of the first segment' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  a: string;

  @ApiProperty({ description: 'ID of the second segment' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  b: string;
}

export class SegmentCountDto {
  @ApiProperty({ example: 0 }) count: number;
}

export class SegmentOverlapDto {
  @ApiProperty({ example: 120 }) a_count: number;
  @ApiProperty({ example: 80 }) b_count: number;
  @ApiProperty({ example: 30 }) overlap_count: number;
  @ApiProperty({ example: 25, description: 'round(100 × overlap_count / a_count, 1); 0 when a_count is 0' }) overlap_pct_a: number;
  @ApiProperty({ example: 37.5, description: 'round(100 × overlap_count / b_count, 1); 0 when b_count is 0' }) overlap_pct_b: number;
}

/** A member lead (the lead list's core fields). */
export class SegmentLeadDto {
  @ApiProperty({ example: 'ld_123' }) lead_id: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ description: 'Engagement score of the primary engagement ruleset, rounded' }) score: number;
  @ApiProperty({ nullable: true, type: String }) engagement_level: string | null;
  @ApiProperty() profile_score: number;
  @ApiProperty({ nullable: true, type: String }) profile_level: string | null;
  @ApiProperty({ nullable: true, type: String }) account_id: string | null;
  @ApiProperty({ nullable: true, type: String }) owner_id: string | null;
  @ApiProperty({ nullable: true, type: String }) owner_name: string | null;
  @ApiProperty({ nullable: true, type: String }) last_event_at: string | null;
  @ApiProperty({ nullable: true, type: String }) last_event_type: string | null;
  @ApiProperty() event_count: number;
  @ApiProperty() disqualified: boolean;
  @ApiProperty({ description: 'When the lead entered the segment' }) joined_at: string;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
