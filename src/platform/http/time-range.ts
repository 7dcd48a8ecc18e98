const DAY = 86_400_000;

/** The named periods of list filters (LEAD-12, ACT-2), in UTC. */
export const RELATIVE_RANGES = ['all', 'today', 'yesterday', 'last_24h', 'last_7d', 'last_30d', 'last_90d'] as const;
export type RelativeRange = (typeof RELATIVE_RANGES)[number];

/** `[start, end)` of a named period as of `now`; null bounds are open (`all`). */
export function relativeRange(range: RelativeRange, now: Date): { start: Date | null; end: Date | null } {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const back = (days: number) => ({ start: new Date(now.getTime() - days * DAY), end: null });
  switch (range) {
    case 'today':
      return { start: new Date(midnight), end: null };
    case 'yesterday':
      return { start: new Date(midnight - DAY), end: new Date(midnight) };
    case 'last_24h':
      return back(1);
    case 'last_7d':
      return back(7);
    case 'last_30d':
      return back(30);
    case 'last_90d':
      return back(90);
    default:
      return { start: null, end: null };
  }
}
