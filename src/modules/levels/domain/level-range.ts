/** The dimensions a lead has a level in. Deal levels are feature-flagged (docs only): the mechanism is ready, no route serves them yet. */
export const LEVEL_KINDS = ['engagement', 'profile', 'account', 'deal'] as const;
export type LevelKind = (typeof LEVEL_KINDS)[number];

/** A level's range: min and max inclusive; `max_score` null is an open top tier. */
export interface LevelRange {
  id: string;
  name: string;
  min_score: number;
  max_score: number | null;
}

/** LVL-4: a displayed (rounded) score belongs to the first level, by `min_score`, whose range contains it; else none. */
export function levelOf<L extends LevelRange>(levels: readonly L[], roundedScore: number): L | null {
  const sorted = [...levels].sort((a, b) => a.min_score - b.min_score);
  return sorted.find((l) => roundedScore >= l.min_score && (l.max_score === null || roundedScore <= l.max_score)) ?? null;
}

/** Whether two inclusive ranges share a score (an open top tier reaches every higher score). */
export function rangesOverlap(a: Pick<LevelRange, 'min_score' | 'max_score'>, b: Pick<LevelRange, 'min_score' | 'max_score'>): boolean {
  const aMax = a.max_score ?? Infinity;
  const bMax = b.max_score ?? Infinity;
  return a.min_score <= bMax && b.min_score <= aMax;
}

/** The first other level of the configuration that `candidate` overlaps, if any (the candidate's own id excluded). */
export function overlappingLevel<L extends LevelRange>(levels: readonly L[], candidate: Omit<LevelRange, 'name'>): L | null {
  return levels.find((l) => l.id !== candidate.id && rangesOverlap(l, candidate)) ?? null;
}
