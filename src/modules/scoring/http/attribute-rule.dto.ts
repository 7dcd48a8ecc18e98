import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ATTRIBUTE_OPERATORS, AttributeOperator, ConditionGroup, RULE_TYPES, RuleType } from '../domain/attribute-rules';

const GROUP_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  nullable: true,
  description:
    'Compound AND/OR group (PRF-13), only valid when rule_type is hard_disqualify: `{op: "AND"|"OR", items: [{property, condition, comparison_value} | group]}`, at most 3 deep. ' +
    'The rule matches when its own condition and the group both hold.',
  example: { op: 'OR', items: [{ property: 'email', condition: 'is_empty', comparison_value: '' }] },
} as const;

/** The fields every attribute rule (profile, account, deal) shares; the property field is named per dimension. */
export class AttributeRuleFieldsDto {
  @ApiProperty({
    enum: ATTRIBUTE_OPERATORS,
    example: 'equals',
    description: 'PRF-7; string comparisons are case-insensitive, `in` takes a comma-separated list',
  })
  @IsIn(ATTRIBUTE_OPERATORS)
  condition: AttributeOperator;

  @ApiProperty({ example: 'SaaS', maxLength: 1000, description: 'Compared as text; numeric for gt/gte/lt/lte (400 otherwise)' })
  @IsString()
  @MaxLength(1000)
  comparison_value: string;

  @ApiProperty({ example: 20, description: 'Whole number of points (ignored by hard_disqualify rules)' })
  @IsInt({ message: 'must be a whole number' })
  @Min(-100_000)
  @Max(100_000)
  weight: number;

  @ApiPropertyOptional({ example: 0, description: 'Display order (also the order hard-DQ rules are tried in)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  ui_order?: number;

  @ApiPropertyOptional({ enum: RULE_TYPES, default: 'add_points' })
  @IsOptional()
  @IsIn(RULE_TYPES)
  rule_type?: RuleType;

  @ApiPropertyOptional(GROUP_SCHEMA)
  @IsOptional()
  @IsObject()
  conditions?: ConditionGroup | null;
}

const PROPERTY = { example: 'industry', minLength: 1, maxLength: 200 } as const;

export class ProfileRuleFieldsDto extends AttributeRuleFieldsDto {
  @ApiProperty({ ...PROPERTY, description: 'Lead profile metadata key (filled by profile mappings); dotted paths read nested values' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'must not be blank' })
  profile_property: string;
}

export class AccountRuleFieldsDto extends AttributeRuleFieldsDto {
  @ApiProperty({ ...PROPERTY, example: 'employees', description: 'Account metadata key (filled by account mappings)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'must not be blank' })
  account_property: string;
}

export class DealRuleFieldsDto extends AttributeRuleFieldsDto {
  @ApiProperty({ ...PROPERTY, example: 'stage', description: 'Deal property: stage, amount, account_id, name or a CRM property' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/\S/, { message: 'must not be blank' })
  deal_property: string;
}

export class ProfileTestRuleDto extends ProfileRuleFieldsDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Test as a replacement of this rule of the ruleset' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  rule_id?: string;
}

export class DealTestRuleDto extends DealRuleFieldsDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Test as a replacement of this rule of the ruleset' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  rule_id?: string;
}

export class AccountTestRuleDto extends AccountRuleFieldsDto {
  @ApiPropertyOptional({ maxLength: 100, description: 'Test as a replacement of this rule of the ruleset' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  rule_id?: string;
}

export class AccountTestDto {
  @ApiProperty({ example: 'ld_123', maxLength: 200, description: 'The lead whose account to test against (ABM-5)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lead_id: string;

  @ApiPropertyOptional({ maxLength: 100, description: "Ruleset the rule would join; the OU's primary account ruleset when omitted" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ruleset_id?: string;

  @ApiProperty({ type: AccountTestRuleDto, description: 'The account rule configuration to evaluate' })
  @IsObject()
  @ValidateNested()
  @Type(() => AccountTestRuleDto)
  rule: AccountTestRuleDto;
}

export class ProfileTestDto {
  @ApiProperty({ example: 'ld_123', maxLength: 200, description: 'The lead to test the rule against' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  lead_id: string;

  @ApiPropertyOptional({ maxLength: 100, description: "Ruleset the rule would join; the OU's primary profile ruleset when omitted" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ruleset_id?: string;

  @ApiProperty({ type: ProfileTestRuleDto, description: 'The profile rule configuration to evaluate' })
  @IsObject()
  @ValidateNested()
  @Type(() => ProfileTestRuleDto)
  rule: ProfileTestRuleDto;
}

export class DealTestDto {
  @ApiProperty({ format: 'uuid', maxLength: 100, description: 'The deal to test the rule against' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  deal_id: string;

  @ApiProperty({ type: DealTestRuleDto, description: 'The deal rule configuration to evaluate' })
  @IsObject()
  @ValidateNested()
  @Type(() => DealTestRuleDto)
  rule: DealTestRuleDto;
}

export class AttributeTestResultDto {
  @ApiProperty({ description: 'Whether the tested rule matches the subject’s current attributes' }) matches: boolean;
  @ApiProperty({ example: 'industry equals saas matches: industry is "SaaS"' }) reason: string;
  @ApiProperty({ description: 'The stored score' }) current_score: number;
  @ApiProperty({ description: 'The score with the rule saved in the ruleset (hard-DQ rules add no points)' }) projected_score: number;
  @ApiProperty({ nullable: true, type: String, description: 'The attribute value that matched' }) matching_value: string | null;
  @ApiProperty({ description: 'A matching hard_disqualify rule would disqualify the subject' }) would_disqualify: boolean;
}

export class DqMatchCountDto {
  @ApiProperty({ example: 'rl_1' }) rule_id: string;
  @ApiProperty({ example: 'rs_1' }) ruleset_id: string;
  @ApiProperty({ enum: ['profile', 'account'] }) dimension: string;
  @ApiProperty({ example: 'email is empty' }) rule_name: string;
  @ApiProperty({ example: 3, description: 'Live leads of the OU this rule disqualifies now' }) match_count: number;
}
