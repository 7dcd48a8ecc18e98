import { uuidv7, uuidv7Floor } from './uuid-v7';

describe('uuidv7', () => {
  it('is a version-7, variant-1 UUID carrying its millisecond', () => {
    const id = uuidv7(0x0190_1234_5678);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id.replace(/-/g, '').slice(0, 12)).toBe('019012345678');
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 500 }, () => uuidv7(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    const later = uuidv7(1_700_000_000_001);
    expect(later > ids[ids.length - 1]).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a floor per millisecond: every id of that millisecond or later sorts at or above it, every earlier one below', () => {
    const ms = 1_700_000_000_000;
    const floor = uuidv7Floor(ms);
    expect(floor).toBe('018bcfe5-6800-7000-8000-000000000000');
    for (let i = 0; i < 200; i++) {
      expect(uuidv7(ms) >= floor).toBe(true);
      expect(uuidv7(ms + 1) > floor).toBe(true);
      expect(uuidv7(ms - 1) < floor).toBe(true);
    }
  });
});
