/**
 * What a score measures. Every dimension runs through the same engine (rule matching, windows, half-life,
 * floors); a dimension differs only in what is scored and where its contributions are stored, which a
 * `DimensionSource` (scoring/dimensions) adapts. Only engagement has a source today.
 */
export const DIMENSIONS = ['engagement', 'profile', 'account', 'deal'] as const;

export type Dimension = (typeof DIMENSIONS)[number];

/** The dimension of behaviour-driven lead scores: the one whose primary ruleset fills `leads.score`. */
export const ENGAGEMENT = 'engagement' as const satisfies Dimension;

export function isDimension(value: string): value is Dimension {
  return (DIMENSIONS as readonly string[]).includes(value);
}
