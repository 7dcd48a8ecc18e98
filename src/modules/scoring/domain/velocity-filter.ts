import { canonicalEventType } from './event-type';
import { countsTowardVelocity } from './suppression';
import { PriorEvent, TimedEvent, byTimeThenId } from './timed-event';

export interface VelocityFilter {
  event_type: string;
  count_threshold: number;
  time_window_ms: number;
  group_events: boolean;
}

export type VelocityOutcome = 'kept' | 'inorganic' | 'inorganic_grouped';

export interface VelocityDecision {
  outcome: VelocityOutcome;
  /**
   * Stored events that were kept but now turn out to be later members of a grouped burst: the caller marks
   * them `inorganic_grouped` and withdraws their points ("Keep First, Suppress Rest", VF-3). Never contains
   * the burst's first event.
   */
  regroup: string[];
}

function kept(): VelocityDecision {
  return { outcome: 'kept', regroup: [] };
}

/**
 * VF-2 / VF-6 suggested default: n = same-lead same-type counting events (this one included) in (t − W, t];
 * n ≤ threshold keeps ("exceeds" suppresses). `prior` is the caller's recent window of that lead's events of
 * that type; events outside the window, the new event itself and non-counting ones are ignored here, so the
 * caller may pass a generous superset. Events later than t are outside (t − W, t] by definition, so a
 * back-dated import is judged against what preceded it.
 */
export function velocityDecision(filter: VelocityFilter, event: TimedEvent, prior: readonly PriorEvent[]): VelocityDecision {
  const t = event.occurred_at.getTime();
  const windowStart = t - filter.time_window_ms;
  const inWindow = prior.filter((p) => {
    const at = p.occurred_at.getTime();
    return p.id !== event.id && countsTowardVelocity(p.suppression) && at > windowStart && at <= t;
  });
  if (inWindow.length + 1 <= filter.count_threshold) return kept();
  if (!filter.group_events) return { outcome: 'inorganic', regroup: [] };

  // The burst's first is the earliest counting event still in the window; at equal instants the stored
  // event came first. With an empty window (threshold 0) the new event is the first and stays scored.
  const first = [...inWindow].sort(byTimeThenId)[0];
  if (first === undefined) return kept();
  return {
    outcome: 'inorganic_grouped',
    regroup: inWindow.filter((p) => p !== first && p.suppression === null).map((p) => p.id),
  };
}

/**
 * Several filters may name the same type; the first (in the caller's order) that suppresses decides, so the
 * stored reason names one filter's behaviour.
 */
export function applyVelocityFilters(
  filters: readonly VelocityFilter[],
  event: TimedEvent & { event_type: string },
  prior: readonly PriorEvent[],
): VelocityDecision {
  const type = canonicalEventType(event.event_type);
  for (const filter of filters) {
    if (canonicalEventType(filter.event_type) !== type) continue;
    const decision = velocityDecision(filter, event, prior);
    if (decision.outcome !== 'kept') return decision;
  }
  return kept();
}
