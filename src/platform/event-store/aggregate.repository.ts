import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { InlineProjections } from '../projections/inline-projections.service';
import { ProjectionRunner } from '../projections/projection-runner.service';
import { AggregateCache } from './aggregate-cache';
import { EventSourcedAggregate } from './event-sourced-aggregate';
import { EventStore, eventColumns } from './event-store.service';
import { toStoredEvent } from './stored-event';
import { ConcurrencyError, EventIdConflictError, EventMetadata, StoredEvent, StreamAppend } from './event-store.types';

export type AggregateClass<A extends EventSourcedAggregate> = (new (id: string) => A) & { streamType: string };

/**
 * Loads aggregates from snapshot + later events and saves their new events with the version they were
 * loaded at. `execute` retries a command on a concurrency conflict with a fresh load.
 *
 * Inside `transaction`, `loadMany` lends aggregates out of an in-process cache (AGGREGATE_CACHE_SIZE); what the
 * transaction loaded and saved goes back to the cache once it has committed.
 */
@Injectable()
export class AggregateRepository {
  readonly cache: AggregateCache;
  /** aggregates loaded or saved by each open `transaction`, returned to the cache when it commits */
  private readonly loans = new WeakMap<EntityManager, Set<EventSourcedAggregate>>();

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly inline: InlineProjections,
    private readonly projections: ProjectionRunner,
  ) {
    this.cache = new AggregateCache(config.env.AGGREGATE_CACHE_SIZE);
  }

  async load<A extends EventSourcedAggregate>(Type: AggregateClass<A>, id: string, manager?: EntityManager): Promise<A> {
    const m = manager ?? this.dataSource.manager;
    const aggregate = new Type(id);
    const [snap] = await m.query(`SELECT stream_version, state FROM event_store_snapshots WHERE stream_id = $1`, [id]);
    if (snap) {
      aggregate.restore(snap.state);
      aggregate.version = snap.stream_version;
    }
    const events = await this.store.readStream(id, aggregate.version, m);
    aggregate.replay(events.map((e) => ({ type: e.eventType, payload: e.payload, occurredAt: e.occurredAt, version: e.streamVersion })));
    return aggregate;
  }

  async save(aggregate: EventSourcedAggregate, metadata: EventMetadata, manager?: EntityManager): Promise<void> {
    const events = aggregate.uncommitted;
    if (!events.length) return;
    const Type = aggregate.constructor as AggregateClass<EventSourcedAggregate>;
    const before = aggregate.version;
    const write = async (m: EntityManager) => {
      const result = await this.store.append(
        aggregate.id,
        Type.streamType,
        before === 0 ? 'no_stream' : before,
        events.map((e) => ({ type: e.type, payload: e.payload, occurredAt: e.occurredAt, eventId: e.eventId })),
        metadata,
        m,
      );
      const every = this.config.env.EVENT_STORE_SNAPSHOT_EVERY;
      if (Math.floor(result.version / every) > Math.floor(before / every)) {
        await m.query(
          `INSERT INTO event_store_snapshots (stream_id, stream_type, stream_version, state) VALUES ($1, $2, $3, $4)
           ON CONFLICT (stream_id) DO UPDATE SET stream_version = excluded.stream_version, state = excluded.state, taken_at = now()
           WHERE event_store_snapshots.stream_version < excluded.stream_version`,
          [aggregate.id, Type.streamType, result.version, JSON.stringify(aggregate.snapshot())],
        );
      }
      // inline read models move in this same transaction (read-your-writes)
      await this.inline.apply(await this.store.readStream(aggregate.id, before, m), m);
      aggregate.markCommitted(result.version);
    };
    if (manager) await write(manager);
    else await this.dataSource.transaction(write);
  }

  /**
   * Loads many aggregates of one type in at most two round trips: snapshots of those not in the cache, then every
   * event after each one's version. Inside `transaction` an aggregate this process committed before is lent from
   * the cache and only brought up to date (events other processes appended since; usually none), so a lead's
   * history is not read again on every batch. One whose stream is now behind it (erased) is rebuilt instead.
   * Lent or not, an append still checks each stream's expected version, so a decision taken on a stale aggregate
   * can never be stored.
   */
  async loadMany<A extends EventSourcedAggregate>(Type: AggregateClass<A>, ids: string[], manager?: EntityManager): Promise<Map<string, A>> {
    const m = manager ?? this.dataSource.manager;
    const out = new Map<string, A>();
    if (!ids.length) return out;
    const loan = manager ? this.loans.get(manager) : undefined;
    const cold: string[] = [];
    const lent = new Set<string>();
    for (const id of ids) {
      const cached = loan ? this.cache.checkout(Type, id) : undefined;
      if (cached) lent.add(id);
      else cold.push(id);
      out.set(id, cached ?? new Type(id));
    }
    if (cold.length) {
      const snaps = await m.query(`SELECT stream_id, stream_version, state FROM event_store_snapshots WHERE stream_id = ANY($1::text[])`, [cold]);
      for (const snap of snaps) {
        const aggregate = out.get(snap.stream_id)!;
        aggregate.restore(snap.state);
        aggregate.version = snap.stream_version;
      }
    }
    // `head` (each stream's last version) is looked up for lent aggregates only. Both lookups are LATERAL so that
    // each is an index probe per stream: as a plain join the planner may hash-join a sequential scan of the store.
    const rows: { id: string; head: number | null; stream_version: number | null; event_type: string; payload: unknown; occurred_at: string }[] = await m.query(
      `SELECT s.id, h.head, e.stream_version, e.event_type, e.payload, e.occurred_at
         FROM unnest($1::text[], $2::int[], $3::bool[]) AS s(id, after, lent)
         LEFT JOIN LATERAL (SELECT max(x.stream_version) AS head FROM event_store_events x WHERE x.stream_id = s.id) h ON s.lent
         LEFT JOIN LATERAL (SELECT x.stream_version, x.event_type, x.payload, x.occurred_at FROM event_store_events x
                             WHERE x.stream_id = s.id AND x.stream_version > s.after ORDER BY x.stream_version) e ON true
        ORDER BY s.id, e.stream_version`,
      [ids, ids.map((id) => out.get(id)!.version), ids.map((id) => lent.has(id))],
    );
    const stale = new Set<string>();
    for (const r of rows) {
      if (lent.has(r.id) && (r.head === null || r.head < out.get(r.id)!.version)) stale.add(r.id);
      if (r.stream_version === null) continue;
      out.get(r.id)!.replay([{ type: r.event_type, payload: r.payload, occurredAt: new Date(r.occurred_at), version: r.stream_version }]);
    }
    for (const id of stale) out.set(id, await this.load(Type, id, m));
    if (loan) for (const a of out.values()) loan.add(a);
    return out;
  }

  /**
   * Saves the new events of many aggregates (and any extra streams) in one append inside the caller's
   * transaction, takes the snapshots that fall due, and applies inline projections. Returns the stored events.
   *
   * `racedIsConflict`: for a caller that has already dropped the events it found stored. An append the store answers
   * as an idempotent resend (every event id already stored, at the very versions given) was then made by another
   * writer between that check and this append, from the same stale state: it throws EventIdConflictError, so the
   * caller's transaction rolls back and its retry decides again (and counts those events as duplicates).
   */
  async saveMany(
    aggregates: EventSourcedAggregate[],
    metadata: EventMetadata,
    m: EntityManager,
    extra: StreamAppend[] = [],
    options: { racedIsConflict?: boolean } = {},
  ): Promise<StoredEvent[]> {
    const dirty = aggregates.filter((a) => a.uncommitted.length);
    const appends: StreamAppend[] = [
      ...dirty.map((a) => ({
        streamId: a.id,
        streamType: (a.constructor as AggregateClass<EventSourcedAggregate>).streamType,
        expectedVersion: a.version === 0 ? ('no_stream' as const) : a.version,
        events: a.uncommitted.map((e) => ({ type: e.type, payload: e.payload, occurredAt: e.occurredAt, eventId: e.eventId })),
        metadata,
      })),
      ...extra,
    ];
    if (!appends.length) return [];
    const results = await this.store.appendMany(appends, m);
    if (options.racedIsConflict) {
      const raced = results.findIndex((r) => r.duplicate);
      if (raced >= 0) {
        const a = appends[raced];
        throw new EventIdConflictError(a.events[0]?.eventId ?? a.streamId, a.streamId, a.streamId);
      }
    }
    const every = this.config.env.EVENT_STORE_SNAPSHOT_EVERY;
    const due = dirty.filter((a, i) => Math.floor(results[i].version / every) > Math.floor(a.version / every));
    if (due.length) {
      await m.query(
        `INSERT INTO event_store_snapshots (stream_id, stream_type, stream_version, state)
         SELECT x.id, x.type, x.version, x.state FROM jsonb_to_recordset($1::jsonb) AS x(id text, type text, version int, state jsonb)
         ON CONFLICT (stream_id) DO UPDATE SET stream_version = excluded.stream_version, state = excluded.state, taken_at = now()
         WHERE event_store_snapshots.stream_version < excluded.stream_version`,
        [
          JSON.stringify(
            due.map((a) => ({
              id: a.id,
              type: (a.constructor as AggregateClass<EventSourcedAggregate>).streamType,
              version: results[dirty.indexOf(a)].version,
              state: a.snapshot(),
            })),
          ),
        ],
      );
    }
    // read back only what an inline projection takes, and of a type they read a few fields of only those (see payloadFields)
    const positions = results.flatMap((r, i) =>
      r.positions.filter((_, j) => {
        const e = appends[i].events[j];
        return e !== undefined && this.inline.takes(e.type, e.payload);
      }),
    );
    const stored: StoredEvent[] = positions.length
      ? (
          await m.query(
            `SELECT ${eventColumns({ payloadFields: this.inline.readBackFields() })} FROM event_store_events WHERE global_position = ANY($1::bigint[]) ORDER BY global_position`,
            [positions],
          )
        ).map(toStoredEvent)
      : [];
    await this.inline.apply(stored, m);
    dirty.forEach((a, i) => a.markCommitted(results[i].version));
    const loan = this.loans.get(m);
    if (loan) for (const a of dirty) loan.add(a);
    return stored;
  }

  /**
   * Runs `work` in a transaction and runs it again, from a fresh read, when another writer got in first: a stream
   * version conflict always; `retryAlso` names other errors that mean the same for a caller (an event id or a
   * unique key taken meanwhile). Every command that writes several aggregates goes through here.
   */
  async transaction<R>(
    work: (m: EntityManager) => Promise<R>,
    options: { attempts?: number; retryAlso?: (err: unknown) => boolean; onRetry?: (err: Error, attempt: number) => void } = {},
  ): Promise<R> {
    const attempts = options.attempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      let loan: Set<EventSourcedAggregate> | undefined;
      try {
        const result = await this.dataSource.transaction((m) => {
          loan = new Set();
          this.loans.set(m, loan);
          return work(m);
        });
        if (loan) {
          this.cache.checkin(loan);
          // this process's projections (a worker's) read what was just committed now, not at their next poll
          if (loan.size) this.projections.poke();
        }
        return result;
      } catch (err) {
        const retryable = err instanceof ConcurrencyError || (options.retryAlso?.(err) ?? false);
        if (!retryable || attempt >= attempts) throw err;
        options.onRetry?.(err as Error, attempt);
      }
    }
  }

  /** Load, decide, save; on a version conflict reload and decide again (at most `attempts` times). */
  async execute<A extends EventSourcedAggregate, R>(
    Type: AggregateClass<A>,
    id: string,
    metadata: EventMetadata,
    decide: (aggregate: A) => R | Promise<R>,
    attempts = 5,
  ): Promise<R> {
    return this.transaction(
      async (m) => {
        const aggregate = await this.load(Type, id, m);
        const result = await decide(aggregate);
        await this.save(aggregate, metadata, m);
        return result;
      },
      { attempts },
    );
  }
}
