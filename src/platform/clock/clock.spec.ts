import { SettableClock, SystemClock } from './clock';

describe('Clock', () => {
  it('SystemClock follows real time', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now - before).toBeLessThan(1000);
  });

  it('SettableClock stays where it is put and moves only when told', () => {
    const clock = new SettableClock('2026-01-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(14 * 86_400_000);
    expect(clock.now().toISOString()).toBe('2026-01-15T00:00:00.000Z');
    clock.set('2025-06-01T12:00:00Z');
    expect(clock.now().toISOString()).toBe('2025-06-01T12:00:00.000Z');
  });
});
