import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength, registerDecorator, ValidationArguments } from 'class-validator';
import { CONDITION_OPERATORS, conditionProblems, ConditionOperator } from '../domain';

/** `{key, operator, value}` attribute condition; the domain's own rules decide what is valid. */
export class ConditionDto {
  @ApiProperty({ example: 'path', description: 'Metadata key; dotted paths read nested objects' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  key: string;

  @ApiProperty({ enum: CONDITION_OPERATORS, example: 'contains' })
  @IsIn(CONDITION_OPERATORS)
  operator: ConditionOperator;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    example: '/pricing',
    description: 'Not used by exists / not_exists',
  })
  @IsConditionValue()
  value?: string | number | boolean | null;
}

/** Runs the domain's `conditionProblems` on the whole condition (numeric operators need numbers, etc.). */
function IsConditionValue() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isConditionValue',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => conditionProblems(args.object as ConditionDto).length === 0,
        defaultMessage: (args: ValidationArguments) => conditionProblems(args.object as ConditionDto).join('; ') || 'invalid condition',
      },
    });
}
