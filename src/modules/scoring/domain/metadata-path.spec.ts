import { metadataValueAsText, readMetadataValue } from './metadata-path';

describe('readMetadataValue', () => {
  const metadata = {
    path: '/pricing',
    utm: { source: 'LinkedIn', nested: { depth: 3 } },
    'utm.source': 'flat-wins',
    items: [{ sku: 'A1' }],
    empty: null,
  };

  it('reads top-level keys', () => {
    expect(readMetadataValue(metadata, 'path')).toBe('/pricing');
  });

  it('follows dotted paths into nested objects and arrays', () => {
    expect(readMetadataValue(metadata, 'utm.nested.depth')).toBe(3);
    expect(readMetadataValue(metadata, 'items.0.sku')).toBe('A1');
  });

  it('prefers a literal dotted key over the nested path', () => {
    expect(readMetadataValue(metadata, 'utm.source')).toBe('flat-wins');
    expect(readMetadataValue({ utm: { source: 'nested' } }, 'utm.source')).toBe('nested');
  });

  it('answers undefined for anything absent', () => {
    expect(readMetadataValue(metadata, 'missing')).toBeUndefined();
    expect(readMetadataValue(metadata, 'path.length')).toBeUndefined(); // strings are not traversed
    expect(readMetadataValue(metadata, 'empty.x')).toBeUndefined();
    expect(readMetadataValue(metadata, 'utm.nested.depth.more')).toBeUndefined();
    expect(readMetadataValue(null, 'path')).toBeUndefined();
    expect(readMetadataValue(undefined, 'path')).toBeUndefined();
  });

  it('never reads the prototype chain', () => {
    expect(readMetadataValue({}, 'constructor')).toBeUndefined();
    expect(readMetadataValue({}, '__proto__')).toBeUndefined();
    expect(readMetadataValue({ a: {} }, 'a.toString')).toBeUndefined();
  });

  it('returns null as stored (callers decide what null means)', () => {
    expect(readMetadataValue(metadata, 'empty')).toBeNull();
  });
});

describe('metadataValueAsText', () => {
  it.each([
    ['abc', 'abc'],
    [42, '42'],
    [1.5, '1.5'],
    [true, 'true'],
    [BigInt(7), '7'],
    [['a', 'b'], '["a","b"]'],
    [{ k: 1 }, '{"k":1}'],
    [undefined, ''],
  ])('%p → %j', (value, text) => {
    expect(metadataValueAsText(value)).toBe(text);
  });
});
