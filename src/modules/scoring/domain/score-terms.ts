import { MS_PER_DAY } from './half-life';
import { contributionPoints, StoredContribution } from './score-ruleset';

/**
 * A ruleset's raw total kept as one running sum per half-life (key "0": points that never decay), every sum valued
 * as of one instant. Decay only scales a sum (0.5^(Δt / half-life) for all its points alike), so the total at a
 * later instant follows from the sums alone: a materialised score moves forward with the new contributions of a
 * batch instead of being recomputed from the lead's whole history. Valid only while no summed contribution is
 * dated after that instant (a future-dated event keeps its full weight until its time comes, which a scale cannot
 * express): callers recompute from the stored contributions then.
 */
export type ScoreTerms = Record<string, number>;

/** The sums valued at `to` instead of `from` (`to` not before `from`). */
export function decayTerms(terms: ScoreTerms, from: Date, to: Date): ScoreTerms {
  const elapsedDays = Math.max(0, to.getTime() - from.getTime()) / MS_PER_DAY;
  const out: ScoreTerms = {};
  for (const [key, value] of Object.entries(terms)) {
    const halfLife = Number(key);
    out[key] = halfLife === 0 || elapsedDays === 0 ? value : value * 0.5 ** (elapsedDays / halfLife);
  }
  return out;
}

/** Adds one contribution, valued at `now`, to the sum of its half-life (in place). */
export function addToTerms(terms: ScoreTerms, contribution: StoredContribution, now: Date): void {
  const key = String(contribution.half_life_days ?? 0);
  terms[key] = (terms[key] ?? 0) + contributionPoints(contribution, now);
}

export function termsTotal(terms: ScoreTerms): number {
  let total = 0;
  for (const value of Object.values(terms)) total += value;
  return total;
}

export function termsDecay(terms: ScoreTerms): boolean {
  return Object.keys(terms).some((k) => k !== '0');
}
