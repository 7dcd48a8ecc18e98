/**
 * SC-4 suggested default: scores stay floats internally and are rounded half up for `score` fields.
 * "Half up" is toward +∞ (−2.5 → −2), matching `Math.round`. Snapping to 12 significant digits first keeps
 * float noise from flipping a true half: 0.5^k sums that should be 2.5 can come out as 2.4999999999999996.
 * The `+ 0` turns −0 into 0 so JSON never shows "-0".
 */
export function roundScore(value: number): number {
  return Math.round(Number(value.toPrecision(12))) + 0;
}
