import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import {
  AppendResult,
  Checkpoint,
  ConcurrencyError,
  EventMetadata,
  ExpectedVersion,
  StoredEvent,
  StreamAppend,
} from './event-store.types';

const UNIQUE_VIOLATION = '23505';
const VERSION_KEY = 'event_store_events_stream_version_key';

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
          event_id: e.eventId ?? randomUUID(),
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
    const run = async (m: EntityManager) => {
      let inserted: Row[];
      try {
        inserted = await m.query(
          `INSERT INTO event_store_events
             (event_id, stream_id, stream_type, stream_version, event_type, payload, metadata, org_id, unit_id, occurred_at)
           SELECT e.event_id, e.stream_id, e.stream_type, c.cur + e.idx, e.event_type, e.payload, e.metadata, e.org_id, e.unit_id, e.occurred_at
             FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, stream_id text, stream_type text, expected int, idx int,
                    event_type text, payload jsonb, metadata jsonb, org_id text, unit_id text, occurred_at timestamptz)
             CROSS JOIN LATERAL (SELECT coalesce(max(stream_version), 0) AS cur FROM event_store_events s WHERE s.stream_id = e.stream_id) c
            WHERE e.expected < 0 OR e.expected = c.cur
            ORDER BY e.stream_id, e.idx
           ON CONFLICT (event_id) DO NOTHING
           RETURNING global_position, stream_id, stream_version, event_id`,
          [JSON.stringify(rows)],
        );
      } catch (err) {
        if (err.code === UNIQUE_VIOLATION && err.constraint === VERSION_KEY) {
          const streamId = /\(stream_id, stream_version\)=\((.*), \d+\)/.exec(err.detail ?? '')?.[1] ?? appends[0].streamId;
          const a = appends.find((x) => x.streamId === streamId) ?? appends[0];
          throw new ConcurrencyError(a.streamId, a.expectedVersion);
        }
        throw err;
      }
      if (inserted.length === rows.length) return this.results(appends, inserted, false);
      return this.resolveShortfall(m, appends, rows, inserted);
    };
    if (manager) return run(manager);
    return this.dataSource.transaction(run);
  }

  /** Some rows were not inserted: either they are already stored (idempotent resend) or a version check failed. */
  private async resolveShortfall(m: EntityManager, appends: StreamAppend[], rows: Row[], inserted: Row[]): Promise<AppendResult[]> {
    const ids = rows.map((r) => r.event_id);
    const stored: Row[] = await m.query(
      `SELECT global_position, stream_id, stream_version, event_id FROM event_store_events WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(stored.map((r) => [r.event_id, r]));
    for (const a of appends) {
      const mine = rows.filter((r) => r.stream_id === a.streamId);
      const found = mine.filter((r) => byId.get(r.event_id)?.stream_id === a.streamId);
      const insertedHere = inserted.filter((r) => r.stream_id === a.streamId).length;
      if (found.length === mine.length) continue; // stored now, by this statement or an earlier identical append
      if (insertedHere === 0) {
        const [{ cur }] = await m.query(
          `SELECT coalesce(max(stream_version), 0)::int AS cur FROM event_store_events WHERE stream_id = $1`,
          [a.streamId],
        );
        throw new ConcurrencyError(a.streamId, a.expectedVersion, cur);
      }
      throw new ConcurrencyError(a.streamId, a.expectedVersion);
    }
    const duplicate = inserted.length === 0;
    return this.results(appends, stored, duplicate);
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
  async readAll(from: Checkpoint, limit: number, opts: { eventTypes?: string[]; manager?: EntityManager } = {}): Promise<StoredEvent[]> {
    const params: unknown[] = [from.transactionId, from.position, limit];
    let typeFilter = '';
    if (opts.eventTypes?.length) {
      params.push(opts.eventTypes);
      typeFilter = `AND event_type = ANY($4::text[])`;
    }
    const rows = await (opts.manager ?? this.dataSource.manager).query(
      `SELECT * FROM event_store_events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ${typeFilter}
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      params,
    );
    return rows.map(toStoredEvent);
  }

  /** Total number of events (for progress bars). */
  async count(manager?: EntityManager): Promise<number> {
    const [row] = await (manager ?? this.dataSource.manager).query(`SELECT count(*)::bigint AS n FROM event_store_events`);
    return Number(row.n);
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
