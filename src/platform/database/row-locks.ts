import type { EntityManager } from 'typeorm';
import { raw, selectRows, sql } from './sql';

/**
 * Locks the rows of `table` (a table the code names, keyed by a text `id`) with these ids FOR NO KEY UPDATE, in id
 * order, until the caller's transaction ends. For writers that update many rows of a table other writers update at
 * the same time: `UPDATE … FROM` locks rows in whatever order its plan yields them, so two such statements over
 * overlapping rows can each hold a row the other waits for (PostgreSQL then aborts one after `deadlock_timeout`,
 * and its whole batch runs again). Taken in one order first, they queue instead. On `leads` (the lead-lock order,
 * id order) the ingest batch's metadata changes, the `lead-events` projection's activity and score columns (and the profile score of leads whose mapped properties an ingested event changed) and the
 * `profile-scores` projection's profile columns take it. FOR NO KEY UPDATE leaves FOR KEY SHARE holders (foreign
 * keys, lockLiveLeads) alone.
 */
export async function lockRowsInIdOrder<T = never>(m: EntityManager, table: 'leads', ids: Iterable<string>, read: readonly string[] = []): Promise<T[]> {
  const distinct = [...new Set(ids)];
  if (!distinct.length) return [];
  // `read`: columns (named by the code) of the locked rows to answer, read by the locking statement itself
  const columns = read.length ? read.map((c) => `"${c}"`).join(', ') : '1';
  const rows = await selectRows<T>(m, sql`SELECT ${raw(columns)} FROM ${raw(table)} WHERE id = ANY(${distinct}::text[]) ORDER BY id FOR NO KEY UPDATE`);
  return read.length ? rows : [];
}
