import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { AppendResult, Checkpoint, ConcurrencyError, EventMetadata, ExpectedVersion, StoredEvent, StreamAppend } from './event-store.types';
import { insertAppendRows, toAppendRows } from './stream-append';
import { StoredEventRow, toStoredEvent } from './stored-event';

/**
 * The columns of an event without its body: `payload` empty, `metadata` only the tenant (which has columns of its
 * own), for readers that need no more (no JSON to render in PostgreSQL nor to parse here).
 */
const ENVELOPE = `global_position, transaction_id, event_id, stream_id, stream_type, stream_version, event_type, '{}'::jsonb AS payload,
  jsonb_build_object('org_id', org_id, 'unit_id', unit_id) AS metadata, occurred_at, recorded_at`;

/**
 * The append-only PostgreSQL event store.
 *
 * - One statement appends any number of events to any number of streams, checking each stream's expected
 *   version inside that statement (optimistic concurrency). Two writers at the same version: the unique
 *   (stream_id, stream_version) key lets exactly one commit; the other gets a ConcurrencyError.
 * - Appends are idempotent by event id: resending an append whose events are all stored is a no-op
 *   reported as `duplicate`.
 * - `readAll` returns events in commit-safe order, never past a transaction that is still open, so a reader
 *   that checkpoints (transaction_id, global_position) cannot skip an event that commits late.
 * - Every read after a checkpoint also states `transaction_id >= checkpoint`: redundant for the result, but the
 *   planner cannot bound an index range by the row comparison alone and, for a reader near the head, chose a
 *   sequential scan of the whole store (135 ms at 74,000 events, growing with the store) on every poll.
 */
@Injectable()
export class EventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async append(
    streamId: string,
    streamType: string,
    expectedVersion: ExpectedVersion,
    events: StreamAppend['events'],
    metadata: EventMetadata = {},
    manager?: EntityManager,
  ): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, streamType, expectedVersion, events, metadata }], manager);
    return result;
  }

  /** Appends to several streams in one round trip; all or nothing. */
  async appendMany(appends: StreamAppend[], manager?: EntityManager): Promise<AppendResult[]> {
    if (!appends.length) return [];
    const seen = new Set<string>();
    for (const a of appends) {
      if (seen.has(a.streamId)) throw new Error(`stream ${a.streamId} appears twice in one append`);
      seen.add(a.streamId);
    }
    const rows = toAppendRows(appends, this.clock.now());
    if (manager) return insertAppendRows(manager, appends, rows, false);
    // One INSERT is atomic on its own: no BEGIN/COMMIT round trips. Appends that need no version check
    // ('any') are retried when a concurrent writer took the same version number.
    const anyOnly = appends.every((a) => a.expectedVersion === 'any');
    for (let attempt = 1; ; attempt++) {
      try {
        return await insertAppendRows(this.dataSource.manager, appends, rows, true);
      } catch (err) {
        if (!(anyOnly && err instanceof ConcurrencyError) || attempt >= 10) throw err;
      }
    }
  }

  async readStream(streamId: string, afterVersion = 0, manager?: EntityManager): Promise<StoredEvent[]> {
    const rows = await (manager ?? this.dataSource.manager).query(
      `SELECT * FROM event_store_events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
      [streamId, afterVersion],
    );
    return rows.map(toStoredEvent);
  }

  async streamVersion(streamId: string, manager?: EntityManager): Promise<number> {
    const [row] = await (manager ?? this.dataSource.manager).query(
      `SELECT coalesce(max(stream_version), 0)::int AS v FROM event_store_events WHERE stream_id = $1`,
      [streamId],
    );
    return row.v;
  }

  /**
   * Events after `from` in commit-safe order, at most `limit`. Only transactions older than the oldest
   * still-running one are visible, so no later read can return an event that sorts before this batch.
   */
  async readAll(from: Checkpoint, limit: number, opts: { manager?: EntityManager; envelope?: boolean } = {}): Promise<StoredEvent[]> {
    const rows = await (opts.manager ?? this.dataSource.manager).query(
      `SELECT ${opts.envelope ? ENVELOPE : '*'} FROM event_store_events
        WHERE transaction_id >= $1::xid8 AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      [from.transactionId, from.position, limit],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Like readAll, for the given event types only, plus the last visible position, read in the same statement
   * (one snapshot). When fewer than `limit` events match, everything up to `head` has been looked at, so a
   * reader may move its checkpoint there instead of scanning the same non-matching events again.
   */
  async readTypes(
    from: Checkpoint,
    limit: number,
    eventTypes: string[],
    manager?: EntityManager,
    envelope = false,
  ): Promise<{ events: StoredEvent[]; head: Checkpoint | null }> {
    const rows: (StoredEventRow & { is_head: boolean })[] = await (manager ?? this.dataSource.manager).query(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       (SELECT false AS is_head, ${envelope ? ENVELOPE : 'e.*'} FROM event_store_events e, h
         WHERE e.transaction_id >= $1::xid8 AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < h.xmin
           AND e.event_type = ANY($4::text[])
         ORDER BY e.transaction_id, e.global_position LIMIT $3)
       UNION ALL
       (SELECT true AS is_head, ${envelope ? ENVELOPE : 'e.*'} FROM event_store_events e, h
         WHERE e.transaction_id >= $1::xid8 AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < h.xmin
         ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1)`,
      [from.transactionId, from.position, limit, eventTypes],
    );
    const head = rows.find((r) => r.is_head);
    return {
      events: rows.filter((r) => !r.is_head).map(toStoredEvent),
      head: head ? { transactionId: String(head.transaction_id), position: Number(head.global_position) } : null,
    };
  }

  /** Highest global position: an upper bound of the number of events, read from the index (progress bars). */
  async headPosition(manager?: EntityManager): Promise<number> {
    const [row] = await (manager ?? this.dataSource.manager).query(`SELECT coalesce(max(global_position), 0) AS n FROM event_store_events`);
    return Number(row.n);
  }

  /** Whether any committed event follows `from` (a lock-free peek before a projection takes its lock). */
  async hasEventsAfter(from: Checkpoint, manager?: EntityManager): Promise<boolean> {
    const [row] = await (manager ?? this.dataSource.manager).query(
      `SELECT EXISTS (SELECT 1 FROM event_store_events
                       WHERE transaction_id >= $1::xid8 AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
                         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())) AS more`,
      [from.transactionId, from.position],
    );
    return row.more;
  }
}
