/** What a bench reads back from its database to know the server finished, and did so exactly once. */
import { Client } from 'pg';
import { LeadEvent } from '../../src/modules/leads';
import { fmt } from './common';

/** Projected events: rows of `lead_events` (its primary key is the event id, so no duplicate can make a run look complete). */
export async function countProjected(pg: Client): Promise<number> {
  return Number((await pg.query(`SELECT count(*)::bigint AS n FROM lead_events`)).rows[0].n);
}

/**
 * A worker's `events_processed_total{outcome="recorded"}` from its metrics port (WORKER_METRICS_PORT): what it recorded
 * and committed. Lets a bench see an ingest phase end without querying the PostgreSQL it measures: the counter alone
 * (`?name=`), so no metrics collector (the projection-lag count) runs for the poll.
 */
export async function recordedBy(metricsPort: number): Promise<number | undefined> {
  // only this counter: a full scrape would run the worker's projection-lag count (PostgreSQL work) on every poll
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics?name=events_processed_total`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const m = /^events_processed_total\{outcome="recorded"\} (\d+)/m.exec(await res.text());
  return m ? Number(m[1]) : 0;
}

/**
 * Exactly once: every id in `ids` (what the POSTs answered) is in `lead_events`, no event id has two rows there,
 * and the event store holds one `EventRecorded` per id. Throws naming the shortfall or the duplicates.
 */
export async function assertExactlyOnce(pg: Client, ids: string[]): Promise<string> {
  const distinct = new Set(ids).size;
  if (distinct !== ids.length) throw new Error(`the POSTs answered ${ids.length} event ids but only ${distinct} distinct ones`);
  const read = (await pg.query(`SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS ids FROM lead_events WHERE event_id = ANY($1::uuid[])`, [ids]))
    .rows[0] as { rows: number; ids: number };
  const stored = (
    await pg.query(
      `SELECT count(*)::int AS rows, count(DISTINCT payload->>'event_id')::int AS ids FROM event_store_events
        WHERE event_type = $2 AND payload->>'event_id' = ANY($1::text[])`,
      [ids, LeadEvent.EventRecorded],
    )
  ).rows[0] as { rows: number; ids: number };
  const duplicates = read.rows - read.ids + (stored.rows - stored.ids);
  if (read.ids !== ids.length || stored.ids !== ids.length || duplicates !== 0)
    throw new Error(
      `exactly once VIOLATED: ${ids.length} events accepted; lead_events has ${read.ids} of them in ${read.rows} rows; ` +
        `the event store has ${stored.ids} of them in ${stored.rows} EventRecorded events`,
    );
  return `exactly once: ${fmt(ids.length)} events, 0 duplicates (lead_events and the event store's EventRecorded, by event id)`;
}
