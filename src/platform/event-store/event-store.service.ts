import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { AppendResult, Checkpoint, ConcurrencyError, EventMetadata, ExpectedVersion, StoredEvent, StreamAppend } from './event-store.types';
import { insertAppendRows, toAppendRows } from './stream-append';
import { StoredEventRow, toStoredEvent } from './stored-event';

/**
 * What a reader takes of each event's body. `envelope`: no body (`payload` empty, `metadata` only the tenant, which
 * has columns of its own: no JSON to render in PostgreSQL nor to parse here). `payloadFields`: per event type, the
 * only top-level payload fields read (an absent one reads as null), and events of that type carrying none of them are
 * not read at all; types not listed follow `envelope`.
 */
export interface EventBodySelection {
  envelope?: boolean;
  payloadFields?: Readonly<Record<string, readonly string[]>>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The select list of event_store_events rows for `sel`, its columns qualified by `alias` when given. */
export function eventColumns(sel: EventBodySelection = {}, alias?: string): string {
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  const fields = Object.entries(sel.payloadFields ?? {});
  if (!sel.envelope && !fields.length) return c('*');
  let payload = sel.envelope ? `'{}'::jsonb` : c('payload');
  if (fields.length) {
    const cases = fields.map(([type, names]) => {
      if (!IDENTIFIER.test(type) || !names.length || !names.every((n) => IDENTIFIER.test(n))) throw new Error(`payload fields of ${type}: not identifiers`);
      return `WHEN '${type}' THEN jsonb_build_object(${names.map((n) => `'${n}', ${c('payload')}->'${n}'`).join(', ')})`;
    });
    payload = `CASE ${c('event_type')} ${cases.join(' ')} ELSE ${payload} END`;
  }
  const metadata = sel.envelope ? `jsonb_build_object('org_id', ${c('org_id')}, 'unit_id', ${c('unit_id')})` : c('metadata');
  const plain = ['global_position', 'transaction_id', 'event_id', 'stream_id', 'stream_type', 'stream_version', 'event_type'].map(c).join(', ');
  return `${plain}, ${payload} AS payload, ${metadata} AS metadata, ${c('occurred_at')}, ${c('recorded_at')}`;
}

/** The condition leaving out events of a type `sel.payloadFields` lists that carry none of its fields ('true' when none is listed). */
export function eventFilter(sel: EventBodySelection = {}, alias?: string): string {
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  const fields = Object.entries(sel.payloadFields ?? {});
  if (!fields.length) return 'true';
  return fields.map(([type, names]) => `(${c('event_type')} <> '${type}' OR ${c('payload')} ?| ARRAY[${names.map((n) => `'${n}'`).join(', ')}])`).join(' AND ');
}

/**
 * The events a reader at a checkpoint ($1 its transaction id, $2 its position) may read next: after it in commit order,
 * and from transactions older than the oldest still running (a later read can never return one that sorts before).
 * `transaction_id >= $1` is redundant for the result but bounds the index range, which the row comparison alone does
 * not; the visibility bound is a scalar subquery, computed once before the scan.
 */
function visibleAfterCheckpoint(alias?: string): string {
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  return `${c('transaction_id')} >= $1::xid8 AND (${c('transaction_id')}, ${c('global_position')}) > ($1::xid8, $2::bigint)
           AND ${c('transaction_id')} < (SELECT pg_snapshot_xmin(pg_current_snapshot()))`;
}

/**
 * readTypes' statement ($1 checkpoint transaction id, $2 its position, $3 limit, $4 event types): the events after the
 * checkpoint in commit order, then the last visible one (the head), one snapshot for both. Run it as
 * `inCommitOrder` says. Its visibility bound is `visibleAfterCheckpoint`'s scalar subquery: as a CTE joined to the
 * events (`FROM event_store_events e, h`) it let the planner put that one-row CTE outside the join, whose output then
 * had no order it knew of. Exported for the test that keeps the plan free of a sort.
 */
export function readTypesStatement(body: EventBodySelection = {}): string {
  const columns = eventColumns(body, 'e');
  const after = visibleAfterCheckpoint('e');
  return `(SELECT false AS is_head, ${columns} FROM event_store_events e
         WHERE ${after} AND e.event_type = ANY($4::text[]) AND ${eventFilter(body, 'e')}
         ORDER BY e.transaction_id, e.global_position LIMIT $3)
       UNION ALL
       (SELECT true AS is_head, ${columns} FROM event_store_events e
         WHERE ${after}
         ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1)`;
}

/**
 * Runs `read` (a read of events after a checkpoint, in commit order, at most a batch) with the planner told to take
 * the commit-order index as it is, in `m`'s transaction (a transaction of its own when `m` is in none), and its
 * settings put back for the rest of that transaction.
 *
 * Each such read is one index scan of `event_store_events_commit_order_idx` from the checkpoint, stopped by the
 * LIMIT. The planner cannot be trusted to choose it: the events after a checkpoint are the newest, the ones the
 * statistics know least (none before the first ANALYZE, or too few when they came after the last one, as in a burst
 * or a catch-up), so it expects a few hundred rows at most and reads them all by bitmap, or in a join order that loses
 * the index's order, and sorts them — every event after the checkpoint, read and sorted (on disk past `work_mem`) for
 * each batch of 2,000. Measured on bench databases: 113–450 ms per batch of a never-analyzed store 13,000–73,000
 * events behind (a sort on disk of up to 56 MB), and 368 ms 33,000 behind after an ANALYZE, against 8–22 ms read in
 * index order; bench:ingest (b)'s reads spilled such sorts to disk. `enable_sort` and `enable_bitmapscan` off leave
 * the ordered index scan as the only plan that is not priced out.
 */
export async function inCommitOrder<T>(m: EntityManager, read: (m: EntityManager) => Promise<T>): Promise<T> {
  if (!m.queryRunner?.isTransactionActive) return m.transaction((t) => inCommitOrder(t, read));
  const [was] = await m.query(
    `WITH was AS MATERIALIZED (SELECT current_setting('enable_sort') AS sort, current_setting('enable_bitmapscan') AS bitmap)
     SELECT sort, bitmap, set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true) FROM was`,
  );
  const out = await read(m);
  await m.query(`SELECT set_config('enable_sort', $1, true), set_config('enable_bitmapscan', $2, true)`, [was.sort, was.bitmap]);
  return out;
}

/** Whether an event of `type` with `payload` passes `eventFilter`. */
export function carriesFields(fields: Readonly<Record<string, readonly string[]>>, type: string, payload: unknown): boolean {
  const names = fields[type];
  return !names || names.some((n) => (payload as Record<string, unknown> | null)?.[n] !== undefined);
}

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
    const rows: StoredEventRow[] = await inCommitOrder(opts.manager ?? this.dataSource.manager, (m) =>
      m.query(
        `SELECT ${eventColumns(opts)} FROM event_store_events
          WHERE ${visibleAfterCheckpoint()}
          ORDER BY transaction_id, global_position
          LIMIT $3`,
        [from.transactionId, from.position, limit],
      ),
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
    body: EventBodySelection = {},
  ): Promise<{ events: StoredEvent[]; head: Checkpoint | null }> {
    const rows: (StoredEventRow & { is_head: boolean })[] = await inCommitOrder(manager ?? this.dataSource.manager, (m) =>
      m.query(readTypesStatement(body), [from.transactionId, from.position, limit, eventTypes]),
    );
    const head = rows.find((r) => r.is_head);
    return {
      events: rows.filter((r) => !r.is_head).map(toStoredEvent),
      head: head ? { transactionId: String(head.transaction_id), position: Number(head.global_position) } : null,
    };
  }

  /**
   * The last event after `from` below the oldest running transaction (commit-safe, as readTypes' `head`): where a
   * reader that needs none of the events up to now may move its checkpoint. Null when there is none.
   */
  async visibleHead(from: Checkpoint, manager?: EntityManager): Promise<Checkpoint | null> {
    const [row] = await (manager ?? this.dataSource.manager).query(
      `SELECT transaction_id::text AS tx, global_position FROM event_store_events
        WHERE ${visibleAfterCheckpoint()}
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      [from.transactionId, from.position],
    );
    return row ? { transactionId: row.tx, position: Number(row.global_position) } : null;
  }

  /** Highest global position: an upper bound of the number of events, read from the index (progress bars). */
  async headPosition(manager?: EntityManager): Promise<number> {
    const [row] = await (manager ?? this.dataSource.manager).query(`SELECT coalesce(max(global_position), 0) AS n FROM event_store_events`);
    return Number(row.n);
  }

  /** Whether any committed event follows `from` (a lock-free peek before a projection takes its lock). */
  async hasEventsAfter(from: Checkpoint, manager?: EntityManager): Promise<boolean> {
    const [row] = await (manager ?? this.dataSource.manager).query(
      `SELECT EXISTS (SELECT 1 FROM event_store_events WHERE ${visibleAfterCheckpoint()}) AS more`,
      [from.transactionId, from.position],
    );
    return row.more;
  }
}
