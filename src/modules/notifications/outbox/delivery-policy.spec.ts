import { healthColour } from './delivery-health.service';
import { retryDelayMs } from './notification-delivery.job';

describe('delivery policy (NF-2, TRG-H)', () => {
  it('backs off 30 s, 2 min, 10 min, 30 min from a 30 s base', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(30_000, n))).toEqual([30_000, 120_000, 600_000, 1_800_000]);
    expect(retryDelayMs(30_000, 9)).toBe(1_800_000);
    expect(retryDelayMs(20, 2)).toBe(80);
  });

  it('colours health gray, green, amber and red', () => {
    expect(healthColour(0, 0)).toBe('gray');
    expect(healthColour(3, 0)).toBe('green');
    expect(healthColour(3, 1)).toBe('amber');
    expect(healthColour(1, 1)).toBe('red');
    expect(healthColour(0, 2)).toBe('red');
  });
});
