import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Max, MaxLength, ValidateNested } from 'class-validator';
import { dtoLimitProblems } from './dto-limits';
import { MAX_ARRAY_ITEMS, MAX_NUMBER, MAX_STRING_LENGTH } from './input-limits';

class Inner {
  @ApiProperty() @IsString() key: string;
}

class Sample {
  @ApiPropertyOptional() @IsOptional() @IsString() plain?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() clearable?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10_000) long?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() count?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Max(10) small?: number;
  @ApiPropertyOptional() @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
  @ApiProperty() @ValidateNested() @Type(() => Inner) inner: Inner;
}

const sample = (over: Partial<Record<keyof Sample, unknown>>) => Object.assign(new Sample(), { inner: Object.assign(new Inner(), { key: 'k' }) }, over);

describe('dtoLimitProblems', () => {
  it('accepts a valid object and null where the field is documented nullable', () => {
    expect(dtoLimitProblems(sample({ plain: 'x', clearable: null, count: 3, tags: ['a'] }), Sample)).toEqual([]);
  });

  it('rejects null for an optional field not documented nullable', () => {
    expect(dtoLimitProblems(sample({ plain: null }), Sample)).toEqual([{ field: 'plain', reason: 'must not be null (omit the field instead)' }]);
  });

  it('rejects a missing nested object that is not optional', () => {
    expect(dtoLimitProblems(sample({ inner: undefined }), Sample)).toEqual([{ field: 'inner', reason: 'is required' }]);
  });

  it('applies the global string, array and number limits only where the field sets none', () => {
    const long = 'x'.repeat(MAX_STRING_LENGTH + 1);
    expect(dtoLimitProblems(sample({ long }), Sample)).toEqual([]);
    expect(dtoLimitProblems(sample({ plain: long }), Sample).map((p) => p.field)).toEqual(['plain']);
    expect(dtoLimitProblems(sample({ tags: Array(MAX_ARRAY_ITEMS + 1).fill('a') }), Sample).map((p) => p.field)).toEqual(['tags']);
    expect(dtoLimitProblems(sample({ tags: ['a', long] }), Sample).map((p) => p.field)).toEqual(['tags[1]']);
    expect(dtoLimitProblems(sample({ count: MAX_NUMBER + 2 }), Sample).map((p) => p.field)).toEqual(['count']);
    expect(dtoLimitProblems(sample({ count: -Infinity }), Sample).map((p) => p.reason)).toEqual(['must be a finite number']);
    expect(dtoLimitProblems(sample({ small: -1e26 }), Sample).map((p) => p.field)).toEqual(['small']);
  });
});
