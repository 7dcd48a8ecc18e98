import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, NotEquals, ValidateIf } from 'class-validator';
import { UPDATE_BEHAVIORS, type UpdateBehavior } from '../domain';

export const FIELD_MAX = 200;

const BEHAVIOR =
  'How the property is updated when an event carries the source field: always_latest (default) overwrites it; set_once writes it only while it is empty; ' +
  'append also keeps the last 10 values, newest last, in "<property>_list". On update, omitted keeps the current behaviour.';

/** A metadata key or property name: non-blank, at most FIELD_MAX characters (surrounding blanks are trimmed). */
const Name = (): PropertyDecorator => (target, key) => {
  IsString()(target, key);
  MinLength(1)(target, key);
  MaxLength(FIELD_MAX)(target, key);
  Matches(/\S/, { message: 'must not be blank' })(target, key);
  NotEquals('__proto__')(target, key);
};

export class ProfileMappingInputDto {
  @ApiPropertyOptional({
    example: 'utm_source',
    maxLength: FIELD_MAX,
    description: 'Event metadata key to read (a dotted path reads nested objects; a literal dotted key wins). Required unless metadata_key is sent.',
  })
  @ValidateIf((o: ProfileMappingInputDto) => o.metadata_key === undefined || o.source_field !== undefined)
  @Name()
  source_field?: string;

  @ApiPropertyOptional({
    example: 'acquisition_source',
    maxLength: FIELD_MAX,
    description: 'Lead profile (metadata) property written. Required unless profile_field is sent.',
  })
  @ValidateIf((o: ProfileMappingInputDto) => o.profile_field === undefined || o.profile_property !== undefined)
  @Name()
  profile_property?: string;

  @ApiPropertyOptional({ example: 'utm_source', maxLength: FIELD_MAX, description: 'Older docs name of source_field (accepted when source_field is absent)' })
  @IsOptional()
  @Name()
  metadata_key?: string;

  @ApiPropertyOptional({
    example: 'acquisition_source',
    maxLength: FIELD_MAX,
    description: 'Older docs name of profile_property (accepted when profile_property is absent)',
  })
  @IsOptional()
  @Name()
  profile_field?: string;

  @ApiPropertyOptional({ enum: UPDATE_BEHAVIORS, default: 'always_latest', description: BEHAVIOR })
  @IsOptional()
  @IsIn(UPDATE_BEHAVIORS)
  update_behavior?: UpdateBehavior;
}

export class AccountMappingInputDto {
  @ApiProperty({ example: 'company_size', maxLength: FIELD_MAX, description: 'Event metadata key to read (a dotted path reads nested objects)' })
  @Name()
  source_field: string;

  @ApiProperty({ example: 'employees', maxLength: FIELD_MAX, description: "Account metadata property written (on the event's lead's account)" })
  @Name()
  account_property: string;

  @ApiPropertyOptional({ enum: UPDATE_BEHAVIORS, default: 'always_latest', description: BEHAVIOR })
  @IsOptional()
  @IsIn(UPDATE_BEHAVIORS)
  update_behavior?: UpdateBehavior;
}

class MappingFieldsDto {
  @ApiProperty({ example: 'pm_2' }) id: string;
  @ApiProperty({ example: 'utm_source' }) source_field: string;
  @ApiProperty({ enum: UPDATE_BEHAVIORS, example: 'always_latest' }) update_behavior: UpdateBehavior;
  @ApiProperty({ type: String, nullable: true }) created_by: string | null;
  @ApiProperty({ type: String, nullable: true }) updated_by: string | null;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class ProfileMappingDto extends MappingFieldsDto {
  @ApiProperty({ example: 'acquisition_source' }) profile_property: string;
  @ApiProperty({ example: 'utm_source', description: 'Older docs name of source_field (same value)' }) metadata_key: string;
  @ApiProperty({ example: 'acquisition_source', description: 'Older docs name of profile_property (same value)' }) profile_field: string;
}

export class AccountMappingDto extends MappingFieldsDto {
  @ApiProperty({ example: 'employees' }) account_property: string;
}

class MappingHistoryFieldsDto {
  @ApiProperty() id: string;
  @ApiProperty() mapping_id: string;
  @ApiProperty({ enum: ['create', 'update', 'delete'] }) action: string;
  @ApiProperty({ type: String, nullable: true, description: 'Who made the change' }) actor: string | null;
  @ApiProperty() created_at: string;
}

export class ProfileMappingHistoryDto extends MappingHistoryFieldsDto {
  @ApiProperty({ type: ProfileMappingDto, nullable: true, description: 'The mapping before the change (null for a create)' }) before: ProfileMappingDto | null;
  @ApiProperty({ type: ProfileMappingDto, nullable: true, description: 'The mapping after the change (null for a delete)' }) after: ProfileMappingDto | null;
}

export class AccountMappingHistoryDto extends MappingHistoryFieldsDto {
  @ApiProperty({ type: AccountMappingDto, nullable: true, description: 'The mapping before the change (null for a create)' }) before: AccountMappingDto | null;
  @ApiProperty({ type: AccountMappingDto, nullable: true, description: 'The mapping after the change (null for a delete)' }) after: AccountMappingDto | null;
}

export class BackfillProfileMappingsResultDto {
  @ApiProperty({ type: 'integer', description: 'Live leads of the OU read' }) leads_processed: number;
  @ApiProperty({ type: 'integer', description: 'Leads whose metadata changed' }) leads_updated: number;
}

export class BackfillJobDto {
  @ApiProperty() job_id: string;
  @ApiProperty({ enum: ['profile_mappings', 'account_mapping', 'event_account_id'], description: 'Which backfill the job runs' }) kind: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status: string;
  @ApiProperty({ type: 'integer', description: 'Percent done' }) progress: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    nullable: true,
    description:
      'The counts of the kind, once completed: profile_mappings {leads_processed, leads_updated}; account_mapping {leads_processed, accounts_linked, accounts_created, profile_scores_updated}; event_account_id {events_scanned, events_updated, leads_without_account}',
  })
  result: Record<string, number> | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ example: '/backfill/jobs/42' }) status_url: string;
}
