import { isProtectedEventType } from './protected-event-types';

describe('protected event types (ET-6)', () => {
  it('protects the system types in every spelling', () => {
    expect(isProtectedEventType('DECAY')).toBe(true);
    expect(isProtectedEventType(' decay ')).toBe(true);
    expect(isProtectedEventType('Score Reset')).toBe(true);
    expect(isProtectedEventType('lead-merged')).toBe(true);
  });
  it('leaves customer types deletable', () => {
    expect(isProtectedEventType('Page View')).toBe(false);
    expect(isProtectedEventType('decayed')).toBe(false);
  });
});
