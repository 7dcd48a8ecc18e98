/**
 * The surge rule (SUR-4), one pure function shared by live detection, preview (SUR-6) and simulate (SUR-7).
 *
 * A matching event at time t counts every matching event of the same lead with occurred_at in [t − window, t]
 * (itself included). The trigger fires when that count reaches the threshold (≥), unless it already fired for
 * the lead less than `window` before t (no overlapping re-fires). Times are event times (occurred_at), so a
 * backtest over history and live detection agree.
 */
export interface SurgeRule {
  windowMs: number;
  threshold: number;
}

export interface SurgeWindow {
  start: Date;
  end: Date;
  event_count: number;
}

/** Live step: `count` events (this one included) in the window ending at `at`; `lastFiredAt` of this trigger and lead. */
export function shouldFire(rule: SurgeRule, at: Date, count: number, lastFiredAt: Date | null): boolean {
  if (count < rule.threshold) return false;
  return !lastFiredAt || at.getTime() - lastFiredAt.getTime() >= rule.windowMs;
}

/** Window bounds of a firing at `at`. */
export function windowEndingAt(rule: SurgeRule, at: Date, count: number): SurgeWindow {
  return { start: new Date(at.getTime() - rule.windowMs), end: new Date(at.getTime()), event_count: count };
}

/** Every firing over one lead's matching event times (any order). */
export function detectSurges(rule: SurgeRule, times: Date[], lastFiredAt: Date | null = null): SurgeWindow[] {
  const sorted = times.map((t) => t.getTime()).sort((a, b) => a - b);
  const fired: SurgeWindow[] = [];
  let last = lastFiredAt;
  let lo = 0;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i];
    while (sorted[lo] < t - rule.windowMs) lo++;
    const at = new Date(t);
    const count = i - lo + 1;
    if (shouldFire(rule, at, count, last)) {
      fired.push(windowEndingAt(rule, at, count));
      last = at;
    }
  }
  return fired;
}
