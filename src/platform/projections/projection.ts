import { SetMetadata } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../event-store/event-store.types';

export const PROJECTION = Symbol('kenbun:projection');

/** Marks a provider as a read-model projection; the runner and the rebuild command discover it. */
export const ReadModelProjection = (): ClassDecorator => SetMetadata(PROJECTION, true);

/**
 * A read model built from the event store. `handle` runs inside the transaction that also moves the
 * projection's checkpoint, so a batch is applied exactly once or not at all. Handlers must still be
 * idempotent (a rebuild replays everything) and must not call outside services.
 */
export interface Projection {
  /** Stable name, also the checkpoint key. */
  readonly name: string;
  /** Only these event types are delivered (all when absent). */
  readonly eventTypes?: string[];
  /** Read-model tables this projection owns; a rebuild empties them before replaying from zero. */
  readonly tables: string[];
  /**
   * Rows of those tables that the store does not hold (written by a job beside the projection), by table: an SQL
   * predicate of the rows a rebuild keeps. `afterRebuild` then folds them back into what the replay derived.
   */
  readonly keptOnRebuild?: Readonly<Record<string, string>>;
  /** Rebuilds only: runs after the replay, in the rebuild's transaction. */
  afterRebuild?(manager: EntityManager): Promise<void>;
  /**
   * `inline`: applied in the transaction that appends the events (read-your-writes for configuration such as
   * rulesets); the runner leaves it alone and only a rebuild replays it. Default `async`: the runner feeds it.
   */
  readonly mode?: 'async' | 'inline';
  /**
   * `false`: the runner delivers events without their bodies (`payload` empty, `metadata` only org_id and
   * unit_id), for a projection that reads the envelope only; saves reading and parsing every event's JSON.
   */
  readonly readsPayload?: boolean;
  /**
   * Per event type (of `eventTypes`), the only top-level payload fields the projection reads: events of a listed type
   * come with just those (an absent field reads as null) and are not delivered at all when they carry none of them;
   * the other types as `readsPayload` says. For following a frequent, large event for one small, rare field without
   * reading and parsing every body. Inline projections: the appender reads back only these fields (and only events
   * carrying one) when every inline projection taking the type lists it.
   */
  readonly payloadFields?: Readonly<Record<string, readonly string[]>>;
  /**
   * With `eventTypes`: whether the projection needs any event at all from this batch on (false, e.g., while nothing it
   * maintains exists anywhere). When false, the runner reads no event and moves the checkpoint to the store's
   * commit-safe head, as it does past events of types the projection does not take. Asked in the batch's transaction.
   */
  wantsEvents?(manager: EntityManager): Promise<boolean>;
  handle(events: StoredEvent[], manager: EntityManager): Promise<void>;
  /**
   * Live runs only (never rebuilds): called after a batch's transaction committed, so the read model already
   * shows it. For notifications about what was applied (real-time streams, latency metrics); failures are
   * logged, never retried.
   */
  afterCommit?(events: StoredEvent[]): Promise<void>;
}

/**
 * Thrown by a projection whose batch reads another projection's read model that has not yet applied the batch's
 * events: the runner rolls the batch back and retries it from the same checkpoint after `retryInMs`, quietly (no
 * failure recorded, no error logged, no backoff), so the batch is never applied to stale sources and never skipped.
 */
export class ProjectionSourcesBehind extends Error {
  constructor(
    readonly sources: string[],
    readonly retryInMs = 100,
  ) {
    super(`projection sources not caught up yet: ${sources.join(', ')}`);
    this.name = 'ProjectionSourcesBehind';
  }
}

/**
 * Whether `manager`'s transaction is a rebuild's replay (the rebuilder marks its transaction): a projection that reads
 * other projections' read models can skip per-batch work there and derive everything in `afterRebuild`.
 */
export async function inRebuild(manager: EntityManager): Promise<boolean> {
  const [row] = await manager.query(`SELECT current_setting('kenbun.rebuild', true) AS name`);
  return Boolean(row?.name);
}
