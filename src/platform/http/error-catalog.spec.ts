import { defineErrors, registeredErrorCodes } from './error-catalog';

describe('defineErrors', () => {
  it('answers the declared status and lists the code', () => {
    const errors = defineErrors('spec_module', { spec_thing_missing: 404, spec_thing_taken: 409 });
    const e = errors.error('spec_thing_taken', 'taken', { field: 'name' });
    expect(e.getStatus()).toBe(409);
    expect(e.getResponse()).toEqual({ error: 'spec_thing_taken', message: 'taken', details: { field: 'name' } });
    expect(errors.notFound('spec_thing_missing', 'thing').getResponse()).toEqual({ error: 'spec_thing_missing', message: 'thing not found' });
    expect(
      registeredErrorCodes()
        .filter((c) => c.module === 'spec_module')
        .map((c) => c.code),
    ).toEqual(['spec_thing_missing', 'spec_thing_taken']);
  });

  it('refuses a code declared with two statuses, and codes that are not snake_case', () => {
    defineErrors('spec_a', { spec_shared: 400 });
    expect(() => defineErrors('spec_b', { spec_shared: 400 })).not.toThrow();
    expect(() => defineErrors('spec_c', { spec_shared: 404 })).toThrow(/declared 400 by spec_a and 404 by spec_c/);
    expect(() => defineErrors('spec_c', { BadCode: 400 })).toThrow(/snake_case/);
  });
});
