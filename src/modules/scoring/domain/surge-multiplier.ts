export const SURGE_MODES = ['off', 'standard', 'gentle', 'custom'] as const;
export type SurgeMode = (typeof SURGE_MODES)[number];

export interface SurgeBand {
  min_events: number;
  multiplier: number;
}

export interface SurgePolicy {
  mode: SurgeMode;
  bands: readonly SurgeBand[];
  idle_reset_seconds: number;
  multiplier_cap: number;
}

/** SUR-S3 suggested defaults; GET returns STANDARD when the OU stored nothing (SUR-S1). */
export const STANDARD_SURGE_POLICY: SurgePolicy = Object.freeze({
  mode: 'standard',
  bands: Object.freeze([
    { min_events: 1, multiplier: 1.0 },
    { min_events: 3, multiplier: 1.25 },
    { min_events: 5, multiplier: 1.5 },
    { min_events: 8, multiplier: 2.0 },
  ]),
  idle_reset_seconds: 1800,
  multiplier_cap: 2.0,
});

export const GENTLE_SURGE_POLICY: SurgePolicy = Object.freeze({
  mode: 'gentle',
  bands: Object.freeze([
    { min_events: 1, multiplier: 1.0 },
    { min_events: 3, multiplier: 1.1 },
    { min_events: 5, multiplier: 1.25 },
    { min_events: 8, multiplier: 1.5 },
  ]),
  idle_reset_seconds: 1800,
  multiplier_cap: 1.5,
});

/**
 * A named preset means its documented behaviour: for `standard` and `gentle` the preset's bands, idle reset
 * and cap apply whatever else was stored; only `custom` uses the stored values. Null = nothing stored.
 */
export function effectiveSurgePolicy(stored: SurgePolicy | null): SurgePolicy {
  if (stored === null) return STANDARD_SURGE_POLICY;
  if (stored.mode === 'standard') return STANDARD_SURGE_POLICY;
  if (stored.mode === 'gentle') return GENTLE_SURGE_POLICY;
  return stored;
}

/**
 * SUR-S1 ranges plus SUR-S3's "custom needs bands". Band multipliers must be in [1, 3]: a session multiplier
 * boosts (SUR-S2 reports boost points), it does not damp, and 3 is the largest cap SUR-S1 allows.
 */
export function surgePolicyProblems(policy: SurgePolicy): string[] {
  const problems: string[] = [];
  if (!(SURGE_MODES as readonly string[]).includes(policy.mode)) problems.push(`mode must be one of ${SURGE_MODES.join(', ')}`);
  if (!Number.isInteger(policy.idle_reset_seconds) || policy.idle_reset_seconds < 1) {
    problems.push('idle_reset_seconds must be an integer >= 1');
  }
  if (!Number.isFinite(policy.multiplier_cap) || policy.multiplier_cap < 1 || policy.multiplier_cap > 3) {
    problems.push('multiplier_cap must be between 1 and 3');
  }
  if (policy.mode === 'custom' && policy.bands.length === 0) problems.push('custom mode needs at least one band');
  const seen = new Set<number>();
  for (const band of policy.bands) {
    if (!Number.isInteger(band.min_events) || band.min_events < 1) problems.push('band min_events must be an integer >= 1');
    else if (seen.has(band.min_events)) problems.push(`band min_events ${band.min_events} appears twice`);
    seen.add(band.min_events);
    if (!Number.isFinite(band.multiplier) || band.multiplier < 1 || band.multiplier > 3) {
      problems.push('band multiplier must be between 1 and 3');
    }
  }
  return problems;
}

/** The highest band reached at the k-th event of a session (bands need not be stored sorted), capped. */
export function bandMultiplier(policy: SurgePolicy, k: number): number {
  if (policy.mode === 'off') return 1;
  let reached: SurgeBand | undefined;
  for (const band of policy.bands) {
    if (band.min_events <= k && (reached === undefined || band.min_events > reached.min_events)) reached = band;
  }
  return Math.min(reached?.multiplier ?? 1, policy.multiplier_cap);
}

/**
 * SUR-S3: multipliers aligned with the input order (times need not be sorted). Pass the lead's non-suppressed
 * event times; the session continues while consecutive gaps are ≤ idle_reset_seconds and a longer gap starts
 * again at k = 1. The policy is used as given: resolve presets with `effectiveSurgePolicy` first.
 */
export function sessionMultipliers(eventTimes: readonly Date[], policy: SurgePolicy): number[] {
  const idleMs = policy.idle_reset_seconds * 1000;
  const order = eventTimes.map((_, index) => index).sort((a, b) => eventTimes[a].getTime() - eventTimes[b].getTime() || a - b);
  const multipliers = new Array<number>(eventTimes.length).fill(1);
  let k = 0;
  let previous: number | undefined;
  for (const index of order) {
    const t = eventTimes[index].getTime();
    k = previous !== undefined && t - previous <= idleMs ? k + 1 : 1;
    previous = t;
    multipliers[index] = bandMultiplier(policy, k);
  }
  return multipliers;
}

/** SUR-S3 `boost_points`: only the part the multiplier added. */
export function boostPoints(basePoints: number, multiplier: number): number {
  return basePoints * multiplier - basePoints;
}

/** Where a lead's current surge session stands (instants in epoch ms); kept by the Lead aggregate. */
export interface SurgeSession {
  started_at: number;
  last_at: number;
  events: number;
}

/** What one event got: its position k in the session, its multiplier, and the session after it. */
export interface SurgeStep {
  position: number;
  multiplier: number;
  session: SurgeSession;
}

/**
 * SUR-S3 one event at a time, as the live pipeline sees them (arrival order). An event at or after the session's
 * last event continues it when the gap is ≤ idle_reset_seconds and starts a new one otherwise, exactly as
 * `sessionMultipliers` walks sorted times. A late event (timestamp before the session's last event) joins the
 * session when it lies inside it or within idle_reset_seconds before its start (it counts as the next event and
 * the session keeps its last instant); an older one counts as a session of its own (k = 1) and leaves the current
 * session alone, so a backfill of old history neither boosts itself nor resets today's session.
 */
export function surgeStep(session: SurgeSession | null, at: Date, policy: SurgePolicy): SurgeStep {
  const t = at.getTime();
  const idleMs = policy.idle_reset_seconds * 1000;
  let next: SurgeSession;
  let position: number;
  if (session === null || t - session.last_at > idleMs) {
    next = { started_at: t, last_at: t, events: 1 };
    position = 1;
  } else if (t >= session.last_at || t >= session.started_at - idleMs) {
    position = session.events + 1;
    next = { started_at: Math.min(session.started_at, t), last_at: Math.max(session.last_at, t), events: position };
  } else {
    return { position: 1, multiplier: bandMultiplier(policy, 1), session };
  }
  return { position, multiplier: bandMultiplier(policy, position), session: next };
}
