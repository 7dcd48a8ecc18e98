import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { OU_ROLES } from '../domain/access';

export class UnitNameDto {
  @ApiProperty({ example: 'EMEA', minLength: 1, maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;
}

export class UnitDto {
  @ApiProperty({ example: 'unit_default' }) unit_id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
}

export class UnitListItemDto extends UnitDto {
  @ApiProperty() org_id: string;
  @ApiProperty() is_default: boolean;
  @ApiProperty({ enum: OU_ROLES, description: "The caller's role in this OU" }) role: string;
}

export class OrganizationDto {
  @ApiProperty() org_id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
}

export class UnitListDto {
  @ApiProperty({ type: [UnitListItemDto] }) units: UnitListItemDto[];
  @ApiProperty({ type: OrganizationDto }) organization: OrganizationDto;
}

export class SetActiveUnitDto {
  @ApiProperty({ example: 'unit_default', description: 'The unit_id to activate for the current session' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  ouId: string;
}

export class ActiveUnitDto extends UnitDto {
  @ApiProperty() org_id: string;
  @ApiProperty({ enum: OU_ROLES }) role: string;
}
