import { EntityManager } from 'typeorm';
import { usageMonth } from '../domain';

/**
 * USE-5 on the ingest hot path: adds one OU's newly accepted events (ingested or imported, suppressed ones
 * included; never duplicates of events already stored) to the organization's usage, in ONE statement, inside the
 * transaction that records them (`m`): the count commits exactly when the events do, so a redelivered job or a
 * crash never counts twice or loses a count. Called last in that transaction so the counter row's lock is held only
 * until the commit; the shard (backend pid modulo 8) spreads parallel transactions over rows.
 *
 * `receivedAt`: the acceptance time of each event (its month is the bucket, stable across redeliveries).
 */
export async function recordUsage(m: EntityManager, orgId: string, unitId: string, receivedAt: readonly string[]): Promise<void> {
  if (!receivedAt.length) return;
  const perMonth = new Map<string, number>();
  for (const at of receivedAt) {
    const month = usageMonth(at);
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
  }
  // months in order: two transactions spanning the same months take the rows in the same order
  const months = [...perMonth.keys()].sort();
  await m.query(
    `INSERT INTO usage_counters (org_id, month, unit_id, shard, events)
     SELECT $1, u.month, $2, pg_backend_pid() % 8, u.n FROM unnest($3::date[], $4::bigint[]) AS u(month, n)
     ON CONFLICT (org_id, month, unit_id, shard) DO UPDATE SET events = usage_counters.events + excluded.events`,
    [orgId, unitId, months, months.map((k) => perMonth.get(k)!)],
  );
}
