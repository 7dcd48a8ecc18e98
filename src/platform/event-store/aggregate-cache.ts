import { EventSourcedAggregate } from './event-sourced-aggregate';

/**
 * Aggregates as this process last committed them, so that a hot aggregate (a lead receiving events) is not
 * rebuilt from its snapshot and stream on every batch. A transaction checks an aggregate out (nobody else in
 * the process sees it while it changes) and checks it back in only after its commit; a rolled-back or failed
 * transaction's aggregates are simply dropped. A lent aggregate is brought up to date with what other processes
 * appended since (the repository reads only those events), and an append still checks its expected version.
 * Least recently used entries go first beyond `capacity` (0 turns the cache off).
 */
export class AggregateCache {
  private readonly entries = new Map<string, EventSourcedAggregate>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Removes and returns the cached aggregate of `Type` with this id, if any. */
  checkout<A extends EventSourcedAggregate>(Type: abstract new (id: string) => A, id: string): A | undefined {
    const a = this.entries.get(id);
    if (!a || !(a instanceof Type)) {
      this.misses++;
      return undefined;
    }
    this.entries.delete(id);
    this.hits++;
    return a;
  }

  /** Puts committed aggregates back (most recently used last); ones with unsaved events are never cached. */
  checkin(aggregates: Iterable<EventSourcedAggregate>): void {
    if (this.capacity === 0) return;
    for (const a of aggregates) {
      if (a.uncommitted.length) continue;
      this.entries.delete(a.id);
      this.entries.set(a.id, a);
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(id);
    }
  }

  /** Forgets one stream (erased, or found out of step with the store). */
  evict(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
