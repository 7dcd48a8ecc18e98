import 'reflect-metadata';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { dtoJsonSchema } from './dto-json-schema';
import { MAX_STRING_LENGTH } from './input-limits';

class Plain {
  @ApiProperty() @IsString() @MaxLength(10) name: string;
  @ApiProperty() @IsOptional() @IsIn(['a', 'b']) kind?: string;
  @ApiProperty() @IsOptional() @IsString() note?: string;
}

class WithEmail {
  @ApiProperty() @IsEmail() email: string;
}

describe('dtoJsonSchema', () => {
  it('reads the class-validator constraints: required, optional (absent or null), global limits, no unknown properties', () => {
    expect(dtoJsonSchema(Plain)).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', maxLength: 10 },
        kind: { anyOf: [{ type: 'null' }, { enum: ['a', 'b'] }] },
        note: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: MAX_STRING_LENGTH }] },
      },
    });
  });

  it('refuses a constraint it has no JSON Schema form for, rather than skip it', () => {
    expect(() => dtoJsonSchema(WithEmail)).toThrow('WithEmail.email: @isEmail has no JSON Schema form');
  });
});
