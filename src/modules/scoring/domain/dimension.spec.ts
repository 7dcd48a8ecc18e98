import { DIMENSIONS, ENGAGEMENT, isDimension } from './dimension';

describe('dimensions', () => {
  it('names the four dimensions, engagement among them', () => {
    expect(DIMENSIONS).toEqual(['engagement', 'profile', 'account', 'deal']);
    expect(isDimension(ENGAGEMENT)).toBe(true);
  });

  it('refuses anything else, case included', () => {
    expect(isDimension('Engagement')).toBe(false);
    expect(isDimension('')).toBe(false);
  });
});
