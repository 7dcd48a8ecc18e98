import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import {
  AppendResult,
  Checkpoint,
  ConcurrencyError,
  EventIdConflictError,
  EventMetadata,
  ExpectedVersion,
  StoredEvent,
  StreamAppend,
} from './event-store.types';
import { uuidv7 } from './uuid-v7';
import { PG_UNIQUE_VIOLATION } from '../database/pg-errors';

const VERSION_KEY = 'event_store_events_stream_version_key';
const INVALID_TEXT = '22P02';
const SHORTFALL = 'kenbun_append_shortfall';

type Row = Record<string, any>;

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
 */
@Injectable()
export class EventStore {
  constructor(private readonly dataSource: DataSource, private readonly clock: Clock) {}

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
    const now = this.clock.now().toISOString();
    const rows = appends.flatMap((a) =>
      a.events.map((e, i) => {
        const metadata = { ...a.metadata, ...e.metadata };
        return {
          event_id: e.eventId ?? uuidv7(),
          stream_id: a.streamId,
          stream_type: a.streamType,
          expected: a.expectedVersion === 'any' ? -1 : a.expectedVersion === 'no_stream' ? 0 : a.expectedVersion,
          idx: i + 1,
          event_type: e.type,
          payload: e.payload ?? {},
          metadata,
          org_id: metadata.org_id ?? null,
          unit_id: metadata.unit_id ?? null,
          occurred_at: (e.occurredAt ?? null)?.toISOString() ?? now,
        };
      }),
    );
    // Outside a caller's transaction the INSERT runs alone (autocommit, one round trip); then the statement
    // itself must be all-or-nothing, so a partial insert trips the guard (a failing cast, row-dependent so the
    // planner cannot fold it) and aborts it. Inside a caller's
    // transaction an error thrown here rolls the whole transaction back instead.
    const run = async (m: EntityManager, guard: boolean) => {
      let inserted: Row[];
      try {
        // the current version of each stream is looked up once per stream, not once per event
        inserted = await m.query(
          `WITH e AS (
             SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, stream_id text, stream_type text, expected int, idx int,
                    event_type text, payload jsonb, metadata jsonb, org_id text, unit_id text, occurred_at timestamptz)),
           cur AS (
             SELECT s.stream_id, coalesce((SELECT max(x.stream_version) FROM event_store_events x WHERE x.stream_id = s.stream_id), 0) AS cur
               FROM (SELECT DISTINCT stream_id FROM e) s),
           ins AS (
           INSERT INTO event_store_events
             (event_id, stream_id, stream_type, stream_version, event_type, payload, metadata, org_id, unit_id, occurred_at)
           SELECT e.event_id, e.stream_id, e.stream_type, cur.cur + e.idx, e.event_type, e.payload, e.metadata, e.org_id, e.unit_id, e.occurred_at
             FROM e JOIN cur USING (stream_id)
            WHERE e.expected < 0 OR e.expected = cur.cur
            ORDER BY e.stream_id, e.idx
           ON CONFLICT (event_id) DO NOTHING
           RETURNING global_position, stream_id, stream_version, event_id)
           SELECT ins.*, CASE WHEN $2::int >= 0 AND (SELECT count(*) FROM ins) <> $2::int THEN ('${SHORTFALL}:' || ins.stream_id)::int END AS guard FROM ins`,
          [JSON.stringify(rows), guard ? rows.length : -1],
        );
      } catch (err) {
        if (err.code === INVALID_TEXT && String(err.message).includes(SHORTFALL)) return this.resolveShortfall(m, appends, rows, []);
        if (err.code === PG_UNIQUE_VIOLATION && err.constraint === VERSION_KEY) {
          const streamId = /\(stream_id, stream_version\)=\((.*), \d+\)/.exec(err.detail ?? '')?.[1] ?? appends[0].streamId;
          const a = appends.find((x) => x.streamId === streamId) ?? appends[0];
          throw new ConcurrencyError(a.streamId, a.expectedVersion);
        }
        throw err;
      }
      if (inserted.length === rows.length) return this.results(appends, inserted, false);
      return this.resolveShortfall(m, appends, rows, inserted);
    };
    if (manager) return run(manager, false);
    // One INSERT is atomic on its own: no BEGIN/COMMIT round trips. Appends that need no version check
    // ('any') are retried when a concurrent writer took the same version number.
    const anyOnly = appends.every((a) => a.expectedVersion === 'any');
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(this.dataSource.manager, true);
      } catch (err) {
        if (!(anyOnly && err instanceof ConcurrencyError) || attempt >= 10) throw err;
      }
    }
  }

  /**
   * Some rows were not inserted: either an identical append is already stored (idempotent resend: fine),
   * or a version check failed (conflict), or the append mixed stored and new events (a client bug that
   * would leave a gap in the stream's versions: refused, and the caller's transaction rolls back).
   */
  private async resolveShortfall(m: EntityManager, appends: StreamAppend[], rows: Row[], inserted: Row[]): Promise<AppendResult[]> {
    const stored: Row[] = await m.query(
      `SELECT global_position, stream_id, stream_version, event_id FROM event_store_events WHERE event_id = ANY($1::uuid[])`,
      [rows.map((r) => r.event_id)],
    );
    const byId = new Map(stored.map((r) => [r.event_id, r]));
    const insertedIds = new Set(inserted.map((r) => r.event_id));
    for (const a of appends) {
      const mine = rows.filter((r) => r.stream_id === a.streamId);
      const elsewhere = mine.find((r) => byId.has(r.event_id) && byId.get(r.event_id)!.stream_id !== a.streamId);
      if (elsewhere) throw new EventIdConflictError(elsewhere.event_id, byId.get(elsewhere.event_id)!.stream_id, a.streamId);
      const insertedHere = mine.filter((r) => insertedIds.has(r.event_id)).length;
      const storedBefore = mine.filter((r) => byId.has(r.event_id) && !insertedIds.has(r.event_id)).length;
      if (storedBefore > 0 && storedBefore < mine.length) throw new EventIdConflictError(mine.find((r) => !insertedIds.has(r.event_id) && byId.has(r.event_id))!.event_id, a.streamId, a.streamId);
      if (storedBefore === mine.length || insertedHere === mine.length) continue;
      const [{ cur }] = await m.query(`SELECT coalesce(max(stream_version), 0)::int AS cur FROM event_store_events WHERE stream_id = $1`, [a.streamId]);
      throw new ConcurrencyError(a.streamId, a.expectedVersion, cur);
    }
    return this.results(appends, stored, inserted.length === 0);
  }

  private results(appends: StreamAppend[], rows: Row[], duplicate: boolean): AppendResult[] {
    return appends.map((a) => {
      const mine = rows.filter((r) => r.stream_id === a.streamId).sort((x, y) => x.stream_version - y.stream_version);
      return {
        streamId: a.streamId,
        version: mine.length ? Number(mine[mine.length - 1].stream_version) : 0,
        positions: mine.map((r) => Number(r.global_position)),
        duplicate,
      };
    });
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
  async readAll(from: Checkpoint, limit: number, opts: { manager?: EntityManager } = {}): Promise<StoredEvent[]> {
    const rows = await (opts.manager ?? this.dataSource.manager).query(
      `SELECT * FROM event_store_events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
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
  async readTypes(from: Checkpoint, limit: number, eventTypes: string[], manager?: EntityManager): Promise<{ events: StoredEvent[]; head: Checkpoint | null }> {
    const rows: Row[] = await (manager ?? this.dataSource.manager).query(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       (SELECT false AS is_head, e.* FROM event_store_events e, h
         WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < h.xmin
           AND e.event_type = ANY($4::text[])
         ORDER BY e.transaction_id, e.global_position LIMIT $3)
       UNION ALL
       (SELECT true AS is_head, e.* FROM event_store_events e, h
         WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < h.xmin
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
                       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
                         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())) AS more`,
      [from.transactionId, from.position],
    );
    return row.more;
  }
}

export function toStoredEvent(r: Row): StoredEvent {
  return {
    globalPosition: Number(r.global_position),
    transactionId: String(r.transaction_id),
    eventId: r.event_id,
    streamId: r.stream_id,
    streamType: r.stream_type,
    streamVersion: Number(r.stream_version),
    eventType: r.event_type,
    payload: r.payload,
    metadata: r.metadata,
    occurredAt: new Date(r.occurred_at),
    recordedAt: new Date(r.recorded_at),
  };
}
