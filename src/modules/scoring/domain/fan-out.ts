import { PriorEvent, TimedEvent, byTimeThenId } from './timed-event';

/**
 * VF-6 suggested default: same lead, same type, within 2 s is one machine fan-out (e.g. a mail scanner
 * clicking every link). Inclusive, and measured from the micro-burst's first event, not chained, so a steady
 * stream one event per second still yields one representative every 2 s rather than one forever.
 */
export const FAN_OUT_WINDOW_MS = 2000;

/**
 * Batch form, for imports, rebuilds and previews: maps every event id to the id of its micro-burst's
 * representative (itself for representatives). Order-independent.
 */
export function collapseFanOut(events: readonly TimedEvent[]): Map<string, string> {
  const representativeOf = new Map<string, string>();
  let representative: TimedEvent | undefined;
  for (const event of [...events].sort(byTimeThenId)) {
    const inBurst = representative !== undefined && event.occurred_at.getTime() - representative.occurred_at.getTime() <= FAN_OUT_WINDOW_MS;
    if (!inBurst) representative = event;
    representativeOf.set(event.id, inBurst && representative ? representative.id : event.id);
  }
  return representativeOf;
}

/**
 * Live form: the id of the stored representative the new event duplicates, or null when it is a
 * representative itself. A late-arriving event up to 2 s *before* a stored representative also joins it
 * rather than taking its place: that representative has already been scored and, as in VF-6, is never
 * un-scored. For events arriving in time order this agrees with `collapseFanOut`.
 */
export function fanOutRepresentative(event: TimedEvent, prior: readonly PriorEvent[]): string | null {
  const t = event.occurred_at.getTime();
  const candidates = prior.filter(
    (p) =>
      p.id !== event.id && p.suppression !== 'metadata_filter' && p.suppression !== 'fan_out' && Math.abs(p.occurred_at.getTime() - t) <= FAN_OUT_WINDOW_MS,
  );
  return candidates.sort(byTimeThenId)[0]?.id ?? null;
}
