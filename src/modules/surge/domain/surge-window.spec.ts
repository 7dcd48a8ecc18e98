import { detectSurges, shouldFire } from './surge-window';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

describe('surge window', () => {
  const rule = { windowMs: 60_000, threshold: 3 };

  it('fires when the count in the rolling window reaches the threshold (≥)', () => {
    expect(detectSurges(rule, [at(0), at(10)])).toEqual([]);
    expect(detectSurges(rule, [at(0), at(10), at(20)])).toEqual([{ start: at(-40), end: at(20), event_count: 3 }]);
  });

  it('counts the window inclusively: an event exactly window seconds earlier still counts', () => {
    expect(detectSurges(rule, [at(0), at(30), at(60)])).toHaveLength(1);
    expect(detectSurges(rule, [at(0), at(30), at(61)])).toEqual([]);
  });

  it('does not re-fire for the lead within the window of the last firing, then fires again', () => {
    const times = [0, 1, 2, 3, 4, 5, 61, 62, 63].map(at);
    const fired = detectSurges(rule, times);
    expect(fired.map((w) => w.end)).toEqual([at(2), at(62)]);
    expect(fired[1].event_count).toBe(6); // [2 s, 62 s] holds 2, 3, 4, 5, 61, 62
  });

  it('sorts its input and honours a previous firing', () => {
    expect(detectSurges(rule, [at(20), at(0), at(10)])).toHaveLength(1);
    expect(detectSurges(rule, [at(0), at(10), at(20)], at(-30))).toEqual([]);
  });

  it('shouldFire: threshold and re-fire rules', () => {
    expect(shouldFire(rule, at(0), 2, null)).toBe(false);
    expect(shouldFire(rule, at(0), 3, null)).toBe(true);
    expect(shouldFire(rule, at(59), 3, at(0))).toBe(false);
    expect(shouldFire(rule, at(60), 3, at(0))).toBe(true);
    expect(shouldFire(rule, at(-5), 9, at(0))).toBe(false);
  });

  it('threshold 1 fires on the first event, then once per window', () => {
    expect(detectSurges({ windowMs: 10_000, threshold: 1 }, [0, 5, 10, 15, 20].map(at)).map((w) => w.end)).toEqual([at(0), at(10), at(20)]);
  });
});
