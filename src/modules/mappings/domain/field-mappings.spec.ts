import { applyFieldMappings, applyMappedValues, backfillFieldMappings, FieldMapping, mappedValues } from './field-mappings';

const latest = (source_field: string, property: string): FieldMapping => ({ source_field, property, update_behavior: 'always_latest' });
const once = (source_field: string, property: string): FieldMapping => ({ source_field, property, update_behavior: 'set_once' });
const append = (source_field: string, property: string): FieldMapping => ({ source_field, property, update_behavior: 'append' });

describe('applyFieldMappings', () => {
  it('always_latest writes the event value, and nothing when the property already holds it', () => {
    expect(applyFieldMappings([latest('utm_source', 'acquisition_source')], { utm_source: 'google' }, {})).toEqual({ acquisition_source: 'google' });
    expect(applyFieldMappings([latest('utm_source', 'acquisition_source')], { utm_source: 'bing' }, { acquisition_source: 'google' })).toEqual({
      acquisition_source: 'bing',
    });
    expect(applyFieldMappings([latest('utm_source', 'acquisition_source')], { utm_source: 'google' }, { acquisition_source: 'google' })).toEqual({});
  });

  it('maps nothing for an absent, null or blank source value (never clears a property)', () => {
    const m = [latest('industry', 'industry')];
    for (const metadata of [{}, { industry: null }, { industry: '  ' }, null, undefined]) {
      expect(applyFieldMappings(m, metadata, { industry: 'Retail' })).toEqual({});
    }
  });

  it('reads nested paths, a literal dotted key first', () => {
    expect(applyFieldMappings([latest('utm.source', 'src')], { utm: { source: 'nested' } }, {})).toEqual({ src: 'nested' });
    expect(applyFieldMappings([latest('utm.source', 'src')], { 'utm.source': 'flat', utm: { source: 'nested' } }, {})).toEqual({ src: 'flat' });
  });

  it('keeps numbers, booleans and objects as they are', () => {
    expect(
      applyFieldMappings([latest('n', 'employees'), latest('b', 'paying'), latest('o', 'address')], { n: 1200, b: false, o: { city: 'Oslo' } }, {}),
    ).toEqual({ employees: 1200, paying: false, address: { city: 'Oslo' } });
    expect(applyFieldMappings([latest('o', 'address')], { o: { city: 'Oslo' } }, { address: { city: 'Oslo' } })).toEqual({});
  });

  it('set_once writes only an empty target (absent, null or blank)', () => {
    const m = [once('plan', 'first_plan')];
    expect(applyFieldMappings(m, { plan: 'pro' }, {})).toEqual({ first_plan: 'pro' });
    expect(applyFieldMappings(m, { plan: 'pro' }, { first_plan: null })).toEqual({ first_plan: 'pro' });
    expect(applyFieldMappings(m, { plan: 'pro' }, { first_plan: ' ' })).toEqual({ first_plan: 'pro' });
    expect(applyFieldMappings(m, { plan: 'pro' }, { first_plan: 'free' })).toEqual({});
  });

  it('append keeps <property>_list newest last, at most 10, and sets the property to the latest', () => {
    const m = [append('page', 'last_page')];
    expect(applyFieldMappings(m, { page: '/a' }, {})).toEqual({ last_page: '/a', last_page_list: ['/a'] });
    expect(applyFieldMappings(m, { page: '/b' }, { last_page: '/a', last_page_list: ['/a'] })).toEqual({ last_page: '/b', last_page_list: ['/a', '/b'] });
    const ten = Array.from({ length: 10 }, (_, i) => `/p${i}`);
    expect(applyFieldMappings(m, { page: '/new' }, { last_page: '/p9', last_page_list: ten })).toEqual({
      last_page: '/new',
      last_page_list: [...ten.slice(1), '/new'],
    });
  });

  it('append does not repeat the newest value, and restarts a _list that is not an array', () => {
    const m = [append('page', 'last_page')];
    expect(applyFieldMappings(m, { page: '/a' }, { last_page: '/a', last_page_list: ['/b', '/a'] })).toEqual({});
    expect(applyFieldMappings(m, { page: '/b' }, { last_page: '/a', last_page_list: '/a' })).toEqual({ last_page: '/b', last_page_list: ['/a', '/b'] });
  });

  it('applies mappings in order, a later one seeing an earlier one’s change', () => {
    const m = [latest('utm_source', 'source'), once('referrer', 'source')];
    expect(applyFieldMappings(m, { utm_source: 'google', referrer: 'news' }, {})).toEqual({ source: 'google' });
    expect(applyFieldMappings([latest('a', 'x'), latest('b', 'x')], { a: 1, b: 2 }, {})).toEqual({ x: 2 });
  });

  it('never reads inherited keys as current values', () => {
    expect(applyFieldMappings([once('c', 'constructor')], { c: 'set' }, {})).toEqual({ constructor: 'set' });
  });
});

describe('mappedValues / applyMappedValues', () => {
  it('splits reading the event from applying to the target (the account side applies values to the account)', () => {
    const values = mappedValues([latest('company', 'name'), append('plan', 'plan')], { company: 'Acme', plan: 'pro' });
    expect(values).toEqual([
      { property: 'name', update_behavior: 'always_latest', value: 'Acme' },
      { property: 'plan', update_behavior: 'append', value: 'pro' },
    ]);
    expect(applyMappedValues(values, { name: 'Old', plan_list: ['free'] })).toEqual({ name: 'Acme', plan: 'pro', plan_list: ['free', 'pro'] });
  });
});

describe('backfillFieldMappings', () => {
  const history = [{ src: 'a', plan: 'free' }, { plan: 'pro' }, { src: 'b' }, {}];

  it('derives always_latest from the latest event, set_once from the earliest when empty, append from the last values', () => {
    const m = [latest('src', 'source'), once('plan', 'first_plan'), append('plan', 'plan')];
    expect(backfillFieldMappings(m, history, { untouched: 1 })).toEqual({ source: 'b', first_plan: 'free', plan: 'pro', plan_list: ['free', 'pro'] });
  });

  it('is idempotent: applied to its own result it changes nothing', () => {
    const m = [latest('src', 'source'), once('plan', 'first_plan'), append('plan', 'plan')];
    const current = { first_plan: 'kept' };
    const once1 = { ...current, ...backfillFieldMappings(m, history, current) };
    expect(once1.first_plan).toBe('kept');
    expect(backfillFieldMappings(m, history, once1)).toEqual({});
  });

  it('leaves properties no event gives a value alone', () => {
    expect(backfillFieldMappings([latest('missing', 'x')], history, { x: 'manual' })).toEqual({});
  });

  it('keeps only the last 10 values of an append mapping', () => {
    const many = Array.from({ length: 15 }, (_, i) => ({ v: i }));
    expect(backfillFieldMappings([append('v', 'n')], many, {})).toEqual({ n: 14, n_list: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] });
  });
});
