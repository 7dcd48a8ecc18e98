import { levelOf, overlappingLevel, rangesOverlap } from './level-range';

const cold = { id: 'a', name: 'Cold', min_score: 0, max_score: 24 };
const warm = { id: 'b', name: 'Warm', min_score: 25, max_score: 49 };
const hot = { id: 'c', name: 'Hot', min_score: 50, max_score: null };

describe('level ranges', () => {
  it('assign the level whose inclusive range contains the score, the open top tier included, else none', () => {
    const levels = [hot, cold, warm];
    expect(levelOf(levels, 0)?.name).toBe('Cold');
    expect(levelOf(levels, 24)?.name).toBe('Cold');
    expect(levelOf(levels, 25)?.name).toBe('Warm');
    expect(levelOf(levels, 50)?.name).toBe('Hot');
    expect(levelOf(levels, 1_000_000)?.name).toBe('Hot');
    expect(levelOf(levels, -1)).toBeNull();
    expect(levelOf([cold, hot], 30)).toBeNull();
  });

  it('overlap when they share one score; touching neighbours do not', () => {
    expect(rangesOverlap(cold, warm)).toBe(false);
    expect(rangesOverlap(cold, { min_score: 24, max_score: 30 })).toBe(true);
    expect(rangesOverlap(hot, { min_score: 1000, max_score: 1000 })).toBe(true);
    expect(rangesOverlap({ min_score: 10, max_score: null }, hot)).toBe(true);
    expect(overlappingLevel([cold, warm, hot], { id: 'b', min_score: 20, max_score: 40 })?.name).toBe('Cold');
    expect(overlappingLevel([cold, warm, hot], { id: 'b', min_score: 25, max_score: 45 })).toBeNull();
  });
});
