import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { InlineProjections } from '../projections/inline-projections.service';
import { EventSourcedAggregate } from './event-sourced-aggregate';
import { EventStore } from './event-store.service';
import { ConcurrencyError, EventMetadata } from './event-store.types';

type AggregateClass<A extends EventSourcedAggregate> = (new (id: string) => A) & { streamType: string };

/**
 * Loads aggregates from snapshot + later events and saves their new events with the version they were
 * loaded at. `execute` retries a command on a concurrency conflict with a fresh load.
 */
@Injectable()
export class AggregateRepository {
  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly inline: InlineProjections,
  ) {}

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

  /** Load, decide, save; on a version conflict reload and decide again (at most `attempts` times). */
  async execute<A extends EventSourcedAggregate, R>(
    Type: AggregateClass<A>,
    id: string,
    metadata: EventMetadata,
    decide: (aggregate: A) => R | Promise<R>,
    attempts = 5,
  ): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (m) => {
          const aggregate = await this.load(Type, id, m);
          const result = await decide(aggregate);
          await this.save(aggregate, metadata, m);
          return result;
        });
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
      }
    }
  }
}
