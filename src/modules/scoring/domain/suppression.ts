/**
 * Why a stored event earns no points. The spec names `metadata_filter`, `inorganic` and `inorganic_grouped`
 * (EVT-5, VF-3); `fan_out` is ours: VF-4 keeps the raw duplicates of a micro-burst but gives them no reason,
 * and they must stay distinguishable because, unlike velocity suppressions, they never count toward velocity.
 */
export const SUPPRESSION_REASONS = ['metadata_filter', 'fan_out', 'inorganic', 'inorganic_grouped'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * MF-2: metadata-filtered events never enter velocity counting; VF-4: only a micro-burst's representative does.
 * Velocity-suppressed events still count (VF-6), otherwise a sustained bot burst would trickle back in as the
 * window slides past the events it kept.
 */
export function countsTowardVelocity(reason: SuppressionReason | null): boolean {
  return reason !== 'metadata_filter' && reason !== 'fan_out';
}
