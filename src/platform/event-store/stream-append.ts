import { EntityManager } from 'typeorm';
import { PG_UNIQUE_VIOLATION } from '../database/pg-errors';
import { AppendResult, ConcurrencyError, EventIdConflictError, StreamAppend } from './event-store.types';
import { uuidv7 } from './uuid-v7';

const VERSION_KEY = 'event_store_events_stream_version_key';
const INVALID_TEXT = '22P02';
const SHORTFALL = 'kenbun_append_shortfall';

/** One event of an append, flattened to the shape the INSERT reads from JSON. */
export interface AppendRow {
  event_id: string;
  stream_id: string;
  stream_type: string;
  /** -1: any version; otherwise the stream version the writer expects to find */
  expected: number;
  idx: number;
  event_type: string;
  payload: unknown;
  metadata: Record<string, unknown>;
  org_id: string | null;
  unit_id: string | null;
  occurred_at: string;
}

/** A stored event's identity, as the INSERT returns it. */
interface AppendedRow {
  global_position: string | number;
  stream_id: string;
  stream_version: string | number;
  event_id: string;
}

export function toAppendRows(appends: StreamAppend[], now: Date): AppendRow[] {
  const nowText = now.toISOString();
  return appends.flatMap((a) =>
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
        occurred_at: (e.occurredAt ?? null)?.toISOString() ?? nowText,
      };
    }),
  );
}

/**
 * The append statement: the current version of each stream is looked up once per stream, not once per event,
 * and each stream's rows are inserted only when its expected version holds.
 *
 * Outside a caller's transaction (`guard`) the INSERT runs alone (autocommit, one round trip); then the
 * statement itself must be all-or-nothing, so a partial insert trips the guard (a failing cast, row-dependent
 * so the planner cannot fold it) and aborts it. Inside a caller's transaction an error thrown here rolls the
 * whole transaction back instead.
 */
export async function insertAppendRows(m: EntityManager, appends: StreamAppend[], rows: AppendRow[], guard: boolean): Promise<AppendResult[]> {
  let inserted: AppendedRow[];
  try {
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
    if (err.code === INVALID_TEXT && String(err.message).includes(SHORTFALL)) return resolveShortfall(m, appends, rows, []);
    if (err.code === PG_UNIQUE_VIOLATION && err.constraint === VERSION_KEY) {
      const streamId = /\(stream_id, stream_version\)=\((.*), \d+\)/.exec(err.detail ?? '')?.[1] ?? appends[0].streamId;
      const a = appends.find((x) => x.streamId === streamId) ?? appends[0];
      throw new ConcurrencyError(a.streamId, a.expectedVersion);
    }
    throw err;
  }
  if (inserted.length === rows.length) return appendResults(appends, inserted, () => false);
  return resolveShortfall(m, appends, rows, inserted);
}

/**
 * Some rows were not inserted: either an identical append is already stored (idempotent resend: fine),
 * or a version check failed (conflict), or the append mixed stored and new events (a client bug that
 * would leave a gap in the stream's versions: refused, and the caller's transaction rolls back).
 */
async function resolveShortfall(m: EntityManager, appends: StreamAppend[], rows: AppendRow[], inserted: AppendedRow[]): Promise<AppendResult[]> {
  const stored: AppendedRow[] = await m.query(
    `SELECT global_position, stream_id, stream_version, event_id FROM event_store_events WHERE event_id = ANY($1::uuid[])`,
    [rows.map((r) => r.event_id)],
  );
  const byId = new Map(stored.map((r) => [r.event_id, r]));
  const insertedIds = new Set(inserted.map((r) => r.event_id));
  const rowsOf = groupBy(rows, (r) => r.stream_id);
  for (const a of appends) {
    const mine = rowsOf.get(a.streamId) ?? [];
    const elsewhere = mine.find((r) => byId.has(r.event_id) && byId.get(r.event_id)!.stream_id !== a.streamId);
    if (elsewhere) throw new EventIdConflictError(elsewhere.event_id, byId.get(elsewhere.event_id)!.stream_id, a.streamId);
    const insertedHere = mine.filter((r) => insertedIds.has(r.event_id)).length;
    const storedBefore = mine.filter((r) => byId.has(r.event_id) && !insertedIds.has(r.event_id)).length;
    if (storedBefore > 0 && storedBefore < mine.length)
      throw new EventIdConflictError(mine.find((r) => !insertedIds.has(r.event_id) && byId.has(r.event_id))!.event_id, a.streamId, a.streamId);
    if (insertedHere === mine.length) continue;
    // All stored already: a resend of this very append (each event at the version this append gives it) is a no-op.
    // The same events stored at other versions were appended by another writer, together with others this writer
    // has not seen: a conflict, so the caller decides again from the stream as it is (and finds them recorded).
    if (storedBefore === mine.length && mine.every((r) => r.expected < 0 || Number(byId.get(r.event_id)!.stream_version) === r.expected + r.idx)) continue;
    const [{ cur }] = await m.query(`SELECT coalesce(max(stream_version), 0)::int AS cur FROM event_store_events WHERE stream_id = $1`, [a.streamId]);
    throw new ConcurrencyError(a.streamId, a.expectedVersion, cur);
  }
  // per stream: an append none of whose events this statement inserted was stored before (a resend, or a racing writer)
  const rowsInserted = new Set(inserted.map((r) => r.stream_id));
  return appendResults(appends, stored, (a) => !rowsInserted.has(a.streamId));
}

/** Rows by key, in their original order (one pass: appends of hundreds of streams stay linear). */
function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

function appendResults(appends: StreamAppend[], rows: AppendedRow[], duplicate: (a: StreamAppend) => boolean): AppendResult[] {
  const rowsOf = groupBy(rows, (r) => r.stream_id);
  return appends.map((a) => {
    const mine = (rowsOf.get(a.streamId) ?? []).sort((x, y) => Number(x.stream_version) - Number(y.stream_version));
    return {
      streamId: a.streamId,
      version: mine.length ? Number(mine[mine.length - 1].stream_version) : 0,
      positions: mine.map((r) => Number(r.global_position)),
      duplicate: duplicate(a),
    };
  });
}
