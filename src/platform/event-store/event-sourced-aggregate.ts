/** A domain event as an aggregate raises it, before it is stored. */
export interface DomainEvent<P = any> {
  type: string;
  payload: P;
  occurredAt?: Date;
  eventId?: string;
}

/**
 * Base of every event-sourced aggregate (Lead, Ruleset, Trigger, Account). No framework import:
 * the domain decides, the repository stores. State changes only through `when`, for new and old events alike.
 */
export abstract class EventSourcedAggregate<S = unknown> {
  static readonly streamType: string;
  version = 0;
  private pending: DomainEvent[] = [];

  constructor(readonly id: string) {}

  /** Applies one event to the state; must be deterministic and side-effect free. */
  protected abstract when(event: DomainEvent): void;

  /** Plain, JSON-serialisable state for snapshots. */
  abstract snapshot(): S;
  abstract restore(state: S): void;

  /** `eventId` only when the command must be idempotent across retries (a deterministic id); generated otherwise. */
  protected raise<P>(type: string, payload: P, occurredAt?: Date, eventId?: string): void {
    const event: DomainEvent<P> = { type, payload, occurredAt, ...(eventId ? { eventId } : {}) };
    this.when(event);
    this.pending.push(event);
  }

  replay(events: Iterable<DomainEvent & { version?: number }>): void {
    for (const e of events) {
      this.when(e);
      this.version = e.version ?? this.version + 1;
    }
  }

  get uncommitted(): readonly DomainEvent[] {
    return this.pending;
  }

  markCommitted(newVersion: number): void {
    this.pending = [];
    this.version = newVersion;
  }
}
