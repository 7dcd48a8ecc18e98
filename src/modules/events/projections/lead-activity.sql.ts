import { EntityManager } from 'typeorm';
import { execute, sql } from '../../../platform/database';

/** The activity columns of `leads` (last event, its type, event count), kept by the lead-events projection. */

export interface LatestActivity {
  ref: string;
  last_at: string;
  last_type: string;
  n: number;
}

/**
 * The lead rows a batch changed, each written once: last activity moves forward incrementally as events arrive
 * (deletions and regroups recompute it instead, see `refreshActivity`), `score` takes the primary score the batch's
 * recompute derived, and `profile_score` the profile score of leads whose mapped properties the batch changed (PRF-8,
 * decided by ProfileScoring.plan), and `touches` the lead's latest touch hours when they moved (`moveLeadTouches`). Each lead
 * row carries several indexes, so one write per lead per batch matters.
 */
export async function updateLeadRows(
  m: EntityManager,
  latest: LatestActivity[],
  primary: Map<string, number>,
  profile: ReadonlyMap<string, number> = new Map(),
  touches: ReadonlyMap<string, Record<string, number>> = new Map(),
): Promise<void> {
  if (!latest.length && !primary.size && !profile.size && !touches.size) return;
  type Row = {
    ref: string;
    last_at: string | null;
    last_type: string | null;
    n: number;
    score: number | null;
    profile: number | null;
    touches?: Record<string, number>;
  };
  const byRef = new Map<string, Row>();
  const rowOf = (ref: string) => {
    let row = byRef.get(ref);
    if (!row) byRef.set(ref, (row = { ref, last_at: null, last_type: null, n: 0, score: null, profile: null }));
    return row;
  };
  for (const a of latest) byRef.set(a.ref, { ...a, score: null, profile: null });
  for (const [ref, score] of primary) rowOf(ref).score = score;
  for (const [ref, score] of profile) rowOf(ref).profile = score;
  for (const [ref, t] of touches) rowOf(ref).touches = t;
  await execute(
    m,
    sql`UPDATE leads l SET
               last_event_type = CASE WHEN x.last_at IS NOT NULL AND (l.last_event_at IS NULL OR x.last_at >= l.last_event_at) THEN x.last_type ELSE l.last_event_type END,
               last_event_at = CASE WHEN x.last_at IS NULL THEN l.last_event_at ELSE greatest(l.last_event_at, x.last_at) END,
               event_count = l.event_count + x.n,
               updated_at = CASE WHEN x.last_at IS NULL THEN l.updated_at ELSE greatest(l.updated_at, x.last_at) END,
               score = coalesce(x.score, l.score),
               profile_score = coalesce(x.profile, l.profile_score),
               touches = coalesce(x.touches, l.touches)
          FROM jsonb_to_recordset(${JSON.stringify([...byRef.values()])}::jsonb)
               AS x(ref text, last_at timestamptz, last_type text, n int, score double precision, profile double precision, touches jsonb)
         WHERE l.id = x.ref`,
  );
}

/** Last activity of each lead from its unsuppressed events (suppressed events are not activity). */
export async function refreshActivity(m: EntityManager, leadRefs: string[]): Promise<void> {
  await execute(
    m,
    sql`UPDATE leads l SET last_event_at = a.last_at, last_event_type = a.last_type, event_count = a.n, updated_at = greatest(l.updated_at, coalesce(a.last_at, l.updated_at))
          FROM (SELECT r.ref,
                       (SELECT max(occurred_at) FROM lead_events e WHERE e.lead_ref = r.ref AND e.suppression IS NULL AND e.source <> 'system') AS last_at,
                       (SELECT event_type FROM lead_events e WHERE e.lead_ref = r.ref AND e.suppression IS NULL AND e.source <> 'system' ORDER BY occurred_at DESC, event_id DESC LIMIT 1) AS last_type,
                       (SELECT count(*)::int FROM lead_events e WHERE e.lead_ref = r.ref AND e.suppression IS NULL AND e.source <> 'system') AS n
                  FROM unnest(${leadRefs}::text[]) AS r(ref)) a
         WHERE l.id = a.ref`,
  );
}
