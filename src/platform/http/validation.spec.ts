import { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation';

describe('flattenValidationErrors', () => {
  it('gives nested and array fields a path and strips the property name from the reason', () => {
    const errors: ValidationError[] = [
      { property: 'event_type', constraints: { isNotEmpty: 'event_type should not be empty' }, children: [] },
      {
        property: 'aliases',
        children: [{ property: '0', children: [{ property: 'alias_kind', constraints: { isIn: 'alias_kind must be one of email, phone' }, children: [] }] }],
      },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'event_type', reason: 'should not be empty' },
      { field: 'aliases[0].alias_kind', reason: 'must be one of email, phone' },
    ]);
  });
});
