import { matchesMetadataQueries, parseMetadataQuery } from './metadata-query';

describe('parseMetadataQuery (EVT-1)', () => {
  it('splits on the first colon only', () => {
    expect(parseMetadataQuery('url:https://x.io:8080/a')).toEqual({ key: 'url', value: 'https://x.io:8080/a' });
    expect(parseMetadataQuery('plan:')).toEqual({ key: 'plan', value: '' });
  });

  it('rejects a missing key or colon', () => {
    expect(parseMetadataQuery('plan')).toBeNull();
    expect(parseMetadataQuery(':pro')).toBeNull();
    expect(parseMetadataQuery('')).toBeNull();
  });
});

describe('matchesMetadataQueries (EVT-1)', () => {
  const metadata = { plan: 'pro', seats: 5, trial: false, region: 'EU', gone: null };

  it('compares the text of the top-level value exactly', () => {
    expect(matchesMetadataQueries(metadata, [{ key: 'plan', value: 'pro' }], 'and')).toBe(true);
    expect(matchesMetadataQueries(metadata, [{ key: 'seats', value: '5' }], 'and')).toBe(true);
    expect(matchesMetadataQueries(metadata, [{ key: 'trial', value: 'false' }], 'and')).toBe(true);
    expect(matchesMetadataQueries(metadata, [{ key: 'region', value: 'eu' }], 'and')).toBe(false);
    expect(matchesMetadataQueries(metadata, [{ key: 'plan', value: 'pro ' }], 'and')).toBe(false);
  });

  it('never matches an absent or null key', () => {
    expect(matchesMetadataQueries(metadata, [{ key: 'missing', value: 'undefined' }], 'and')).toBe(false);
    expect(matchesMetadataQueries(metadata, [{ key: 'gone', value: 'null' }], 'and')).toBe(false);
    expect(matchesMetadataQueries(null, [{ key: 'plan', value: 'pro' }], 'or')).toBe(false);
    expect(matchesMetadataQueries({}, [{ key: 'constructor', value: 'function Object() { [native code] }' }], 'and')).toBe(false);
  });

  it('combines with and (default) or or', () => {
    const queries = [
      { key: 'plan', value: 'pro' },
      { key: 'region', value: 'US' },
    ];
    expect(matchesMetadataQueries(metadata, queries, 'and')).toBe(false);
    expect(matchesMetadataQueries(metadata, queries, 'or')).toBe(true);
  });

  it('filters nothing without queries', () => {
    expect(matchesMetadataQueries(metadata, [], 'and')).toBe(true);
    expect(matchesMetadataQueries(null, [], 'or')).toBe(true);
  });
});
