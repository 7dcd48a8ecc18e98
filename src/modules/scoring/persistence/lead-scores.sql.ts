import { EntityManager } from 'typeorm';
import { execute, selectRows, sql, Sql } from '../../../platform/database';
import { Dimension, ENGAGEMENT } from '../domain/dimension';
import { roundScore } from '../domain/score-rounding';

export interface ScoreChange {
  lead_ref: string;
  lead_id: string;
  unit_id: string;
  ruleset_id: string;
  previous: number;
  score: number;
}

/**
 * The SQL twin of `rulesetScore` (scoring domain): Σ base × multiplier × 0.5^(age_days / half_life) over the
 * lead's contributions since its score reset, floored at 0 per ruleset unless the organization allows
 * negative scores. Used to materialise `lead_scores` (lists, sorting, thresholds); single-lead reads compute
 * through the domain function itself, and a test holds the two equal. `$2` is "now"; `s` is `event_scores`.
 */
export const DECAYED_POINTS_SQL = `s.base_points * s.multiplier * CASE WHEN s.half_life_days IS NULL THEN 1
  ELSE power(0.5, greatest(0, extract(epoch FROM ($2::timestamptz - s.occurred_at))) / 86400.0 / s.half_life_days) END`;

/** The dimension whose primary ruleset's score is copied to `leads.score` (lists sort and filter on it). */
export const PRIMARY_SCORE_DIMENSION: Dimension = ENGAGEMENT;

/** One row of the recompute statement: a ruleset score (new or gone) or a lead's primary score. */
interface RecomputeRow {
  kind: 'score' | 'gone' | 'primary';
  lead_ref: string;
  lead_id: string | null;
  unit_id: string | null;
  ruleset_id: string | null;
  score: number;
  previous: number | null;
}

/** What a recompute changed: ruleset scores whose displayed value moved, and each lead's primary score. */
export interface Recomputed {
  changes: ScoreChange[];
  /** lead ref → the primary engagement ruleset's score (0 without one), for leads whose `leads.score` differs */
  primary: Map<string, number>;
}

/**
 * Recomputes the `lead_scores` rows of the given leads as of `now` and re-derives `leads.score`; returns the
 * ruleset scores whose displayed value changed.
 */
export async function recomputeLeadScores(m: EntityManager, leadRefs: string[], now: Date): Promise<ScoreChange[]> {
  return (await recompute(m, leadRefs, now, true)).changes;
}

/**
 * Like `recomputeLeadScores`, but leaves `leads.score` to the caller, which writes each lead row once per batch
 * with its other columns (`Recomputed.primary`); the lead-events projection does so with the activity columns.
 */
export async function recomputeLeadScoresDeferringPrimary(m: EntityManager, leadRefs: string[], now: Date): Promise<Recomputed> {
  return recompute(m, leadRefs, now, false);
}

/**
 * One statement: the fresh scores (the SQL twin of the domain's score) are upserted, rows of rulesets a lead no
 * longer scores in are deleted, the previous values are read from the same snapshot, and (with `syncPrimary`)
 * `leads.score` follows. Rows are written even when unchanged so that `computed_at` says when they were true.
 * The leads come in as a set joined to each table (index probes or one hash), never as `= ANY(array)` over a
 * scan (rows × array comparisons), and CTEs are joined, never probed by correlated subqueries (quadratic).
 */
async function recompute(m: EntityManager, leadRefs: string[], now: Date, syncPrimary: boolean): Promise<Recomputed> {
  if (!leadRefs.length) return { changes: [], primary: new Map() };
  // DECAYED_POINTS_SQL reads "now" as $2, so this statement keeps its hand-numbered parameters
  const rows: RecomputeRow[] = await m.query(
    `WITH refs AS MATERIALIZED (
       SELECT DISTINCT ref FROM unnest($1::text[]) AS r(ref)
     ), old AS (
       SELECT t.lead_ref, t.ruleset_id, t.score FROM refs r JOIN lead_scores t ON t.lead_ref = r.ref
     ), sums AS (
       SELECT s.lead_ref, s.ruleset_id, sum(${DECAYED_POINTS_SQL}) AS raw, bool_or(s.half_life_days IS NOT NULL) AS decays, count(*)::int AS n
         FROM refs r JOIN leads l ON l.id = r.ref JOIN event_scores s ON s.lead_ref = r.ref
        WHERE l.score_reset_at IS NULL OR s.occurred_at >= l.score_reset_at
        GROUP BY s.lead_ref, s.ruleset_id
     ), fresh AS (
       SELECT x.lead_ref, x.ruleset_id, l.org_id, l.unit_id, l.lead_id, x.raw, x.decays, x.n FROM sums x JOIN leads l ON l.id = x.lead_ref
     ), scored AS (
       SELECT f.*, CASE WHEN coalesce(ss.allow_negative_scores, false) THEN f.raw ELSE greatest(0, f.raw) END AS score
         FROM fresh f LEFT JOIN scoring_settings ss ON ss.org_id = f.org_id
     ), up AS (
       INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at)
       SELECT lead_ref, ruleset_id, org_id, unit_id, score, decays, n, $2 FROM scored
       ON CONFLICT (lead_ref, ruleset_id) DO UPDATE
          SET org_id = excluded.org_id, unit_id = excluded.unit_id, score = excluded.score, decays = excluded.decays,
              event_count = excluded.event_count, computed_at = excluded.computed_at
     ), gone AS (
       DELETE FROM lead_scores t
        USING old o LEFT JOIN scored f ON f.lead_ref = o.lead_ref AND f.ruleset_id = o.ruleset_id
        WHERE t.lead_ref = o.lead_ref AND t.ruleset_id = o.ruleset_id AND f.lead_ref IS NULL
       RETURNING t.lead_ref, t.ruleset_id, t.score
     ), prim AS (
       SELECT l.id AS lead_ref, l.score AS previous, coalesce(p.score, 0) AS score
         FROM refs x JOIN leads l ON l.id = x.ref
         LEFT JOIN (SELECT f.lead_ref, f.unit_id, f.score FROM scored f JOIN rulesets r ON r.id = f.ruleset_id AND r.dimension = $3 AND r.is_primary) p
                ON p.lead_ref = l.id AND p.unit_id = l.unit_id
     ), synced AS (
       UPDATE leads l SET score = p.score FROM prim p WHERE $4::bool AND l.id = p.lead_ref AND l.score IS DISTINCT FROM p.score
     )
     SELECT 'score' AS kind, f.lead_ref, f.lead_id, f.unit_id, f.ruleset_id, f.score, o.score AS previous
       FROM scored f LEFT JOIN old o USING (lead_ref, ruleset_id)
     UNION ALL
     SELECT 'gone', g.lead_ref, l.lead_id, l.unit_id, g.ruleset_id, 0, g.score FROM gone g JOIN leads l ON l.id = g.lead_ref
     UNION ALL
     SELECT 'primary', p.lead_ref, NULL, NULL, NULL, p.score, p.previous FROM prim p WHERE p.score IS DISTINCT FROM p.previous`,
    [leadRefs, now.toISOString(), PRIMARY_SCORE_DIMENSION, syncPrimary],
  );
  const changes: ScoreChange[] = [];
  const primary = new Map<string, number>();
  for (const r of rows) {
    const score = Number(r.score);
    const previous = r.previous === null ? 0 : Number(r.previous);
    if (r.kind === 'primary') primary.set(r.lead_ref, score);
    else if (roundScore(previous) !== roundScore(score))
      changes.push({ lead_ref: r.lead_ref, lead_id: r.lead_id!, unit_id: r.unit_id!, ruleset_id: r.ruleset_id!, previous, score });
  }
  return { changes, primary };
}

/**
 * Re-derives `leads.score` (the primary engagement ruleset's materialised score, 0 without a primary or a
 * `lead_scores` row) for the leads matching `where` (on alias `l`); rows already right are not rewritten.
 */
export async function syncPrimaryScores(m: EntityManager, where: Sql): Promise<void> {
  await execute(
    m,
    sql`UPDATE leads l SET score = x.score
       FROM (SELECT l.id, coalesce((SELECT s.score FROM lead_scores s JOIN rulesets r ON r.id = s.ruleset_id
                                     WHERE s.lead_ref = l.id AND r.unit_id = l.unit_id AND r.dimension = ${PRIMARY_SCORE_DIMENSION} AND r.is_primary), 0) AS score
               FROM leads l WHERE ${where}) x
      WHERE l.id = x.id AND l.score IS DISTINCT FROM x.score`,
  );
}
