import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { AccountRuleFieldsDto, ATTRIBUTE_OPERATORS, ProfileRuleFieldsDto, RULE_TYPES } from '../../scoring';

/** Body of creating or replacing a profile or account ruleset (PRF-5). */
export class AttributeRulesetBodyDto {
  @ApiProperty({ example: 'Ideal customer profile', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  @ApiPropertyOptional({ default: true, description: 'Disabled rulesets neither score nor disqualify' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: false, description: "The OU's primary ruleset of the dimension (its score is the lead's); setting it moves the flag" })
  @IsOptional()
  @IsBoolean()
  is_primary?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    example: 0.5,
    description: 'Leads scoring below this share of the ruleset’s maximum achievable score are flagged below_floor in reads (no effect on the score)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  score_floor_pct?: number | null;
}

export class AttributeRulesetDto {
  @ApiProperty({ example: 'rs_fit' }) id: string;
  @ApiProperty({ example: 'rs_fit', description: 'Same as id (the engagement rulesets’ name for it)' }) ruleset_id: string;
  @ApiProperty() org_id: string;
  @ApiProperty({ enum: ['profile', 'account', 'deal'] }) dimension: string;
  @ApiProperty() name: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty() is_primary: boolean;
  @ApiProperty({ nullable: true, type: Number, example: 0.5 }) score_floor_pct: number | null;
  @ApiProperty() rule_count: number;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class CreateProfileRuleDto extends ProfileRuleFieldsDto {}
export class UpdateProfileRuleDto extends PartialType(ProfileRuleFieldsDto) {}
export class CreateAccountRuleDto extends AccountRuleFieldsDto {}
export class UpdateAccountRuleDto extends PartialType(AccountRuleFieldsDto) {}

class AttributeRuleCommonDto {
  @ApiProperty({ example: 'rl_1' }) id: string;
  @ApiProperty({ example: 'rl_1', description: 'Same as id' }) rule_id: string;
  @ApiProperty({ example: 'rs_fit' }) ruleset_id: string;
  @ApiProperty({ enum: ATTRIBUTE_OPERATORS }) condition: string;
  @ApiProperty() comparison_value: string;
  @ApiProperty() weight: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Always null: attribute scores never decay (PRF-8)' }) half_life_days: null;
  @ApiProperty({ enum: RULE_TYPES }) rule_type: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) conditions: object | null;
  @ApiProperty({ nullable: true, type: Number }) ui_order: number | null;
  @ApiProperty({ nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class ProfileRuleDto extends AttributeRuleCommonDto {
  @ApiProperty({ example: 'industry' }) profile_property: string;
}

export class AccountRuleDto extends AttributeRuleCommonDto {
  @ApiProperty({ example: 'employees' }) account_property: string;
}

export type AttributeRuleViewDto = ProfileRuleDto | AccountRuleDto;
