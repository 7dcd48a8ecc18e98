import { SuppressionReason } from './suppression';

export interface TimedEvent {
  id: string;
  occurred_at: Date;
}

/**
 * One already-stored event of the same lead and the same canonical event type, as a caller loads it from the
 * database for the recent window. Every suppression state is passed in: the domain, not each caller, decides
 * which ones count.
 */
export interface PriorEvent extends TimedEvent {
  suppression: SuppressionReason | null;
}

/** Earlier first; equal instants by id so that every caller breaks ties the same way. */
export function byTimeThenId(a: TimedEvent, b: TimedEvent): number {
  return a.occurred_at.getTime() - b.occurred_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
