import { roundScore } from './score-rounding';

describe('roundScore (SC-4: round half up)', () => {
  it.each([
    [0, 0],
    [2.4, 2],
    [2.5, 3],
    [2.6, 3],
    [7.499999, 7],
    [-2.4, -2],
    [-2.5, -2],
    [-2.6, -3],
    [-0.4, 0],
    [1234.5, 1235],
  ])('%p → %p', (value, rounded) => {
    expect(roundScore(value)).toBe(rounded);
  });

  it('does not let float noise flip a true half', () => {
    const noisy = 0.1 * 3 * 5 + 1; // 2.5000000000000004
    expect(roundScore(noisy)).toBe(3);
    expect(roundScore(2.4999999999999996)).toBe(3);
    expect(roundScore(0.7 + 0.1 + 0.7)).toBe(2); // 1.4999999999999998 is 1.5
  });

  it('never returns −0', () => {
    expect(Object.is(roundScore(-0.2), 0)).toBe(true);
    expect(Object.is(roundScore(-0), 0)).toBe(true);
  });
});
