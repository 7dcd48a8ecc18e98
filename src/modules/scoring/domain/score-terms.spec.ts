import { rulesetScore, StoredContribution } from './score-ruleset';
import { addToTerms, decayTerms, ScoreTerms, termsDecay, termsTotal } from './score-terms';

const DAY = 86_400_000;
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

describe('score terms', () => {
  it('halves a decaying sum every half-life and leaves undecaying points alone', () => {
    const terms: ScoreTerms = {};
    addToTerms(terms, { occurred_at: t0, base_points: 10, multiplier: 1, half_life_days: 7 }, t0);
    addToTerms(terms, { occurred_at: t0, base_points: 4, multiplier: 2, half_life_days: null }, t0);
    expect(terms).toEqual({ '7': 10, '0': 8 });
    expect(decayTerms(terms, t0, at(7))).toEqual({ '7': 5, '0': 8 });
    expect(termsDecay(terms)).toBe(true);
    expect(termsDecay({ '0': 1 })).toBe(false);
  });

  it('moved forward batch by batch, totals what the whole history scores at the end', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const all: StoredContribution[] = [];
    let terms: ScoreTerms = {};
    let computedAt = t0;
    for (let batch = 1; batch <= 40; batch++) {
      const now = at(batch * 1.7);
      terms = decayTerms(terms, computedAt, now);
      for (let i = 0; i < 5; i++) {
        const c: StoredContribution = {
          occurred_at: new Date(now.getTime() - rand() * 3 * DAY),
          base_points: Math.round(rand() * 40 - 10),
          multiplier: rand() < 0.2 ? 1.5 : 1,
          half_life_days: rand() < 0.3 ? null : [1, 7, 30, 730][Math.floor(rand() * 4)],
        };
        all.push(c);
        addToTerms(terms, c, now);
      }
      computedAt = now;
    }
    expect(termsTotal(terms)).toBeCloseTo(rulesetScore(all, computedAt, { allowNegative: true }), 9);
  });
});
