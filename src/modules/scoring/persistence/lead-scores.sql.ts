import { EntityManager } from 'typeorm';
import { execute, selectRows, sql, Sql } from '../../../platform/database';
import { Dimension, ENGAGEMENT } from '../domain/dimension';
import { StoredContribution } from '../domain/score-ruleset';
import { roundScore } from '../domain/score-rounding';
import { addToTerms, decayTerms, ScoreTerms, termsDecay, termsTotal } from '../domain/score-terms';

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

/** Like `recomputeLeadScores` (`leads.score` follows), answering each lead whose `leads.score` moved as well. */
export async function recomputeLeadScoresSyncingPrimary(m: EntityManager, leadRefs: string[], now: Date): Promise<Recomputed> {
  return recompute(m, leadRefs, now, true);
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
     ), per_half_life AS (
       SELECT s.lead_ref, s.ruleset_id, coalesce(s.half_life_days, 0) AS half_life, sum(${DECAYED_POINTS_SQL}) AS points, count(*)::int AS n,
              bool_or(s.occurred_at > $2::timestamptz) AS future
         FROM refs r JOIN leads l ON l.id = r.ref JOIN event_scores s ON s.lead_ref = r.ref
        WHERE l.score_reset_at IS NULL OR s.occurred_at >= l.score_reset_at
        GROUP BY s.lead_ref, s.ruleset_id, coalesce(s.half_life_days, 0)
     ), sums AS (
       SELECT lead_ref, ruleset_id, sum(points) AS raw, bool_or(half_life > 0) AS decays, sum(n)::int AS n,
              CASE WHEN bool_or(future) THEN NULL ELSE jsonb_object_agg(half_life::text, points) END AS terms
         FROM per_half_life GROUP BY lead_ref, ruleset_id
     ), fresh AS (
       SELECT x.lead_ref, x.ruleset_id, l.org_id, l.unit_id, l.lead_id, x.raw, x.decays, x.n, x.terms FROM sums x JOIN leads l ON l.id = x.lead_ref
     ), scored AS (
       SELECT f.*, CASE WHEN coalesce(ss.allow_negative_scores, false) THEN f.raw ELSE greatest(0, f.raw) END AS score
         FROM fresh f LEFT JOIN scoring_settings ss ON ss.org_id = f.org_id
     ), up AS (
       INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at, terms)
       SELECT lead_ref, ruleset_id, org_id, unit_id, score, decays, n, $2, terms FROM scored
       ON CONFLICT (lead_ref, ruleset_id) DO UPDATE
          SET org_id = excluded.org_id, unit_id = excluded.unit_id, score = excluded.score, decays = excluded.decays,
              event_count = excluded.event_count, computed_at = excluded.computed_at, terms = excluded.terms
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

/** A contribution a batch just stored, of one lead and ruleset. */
export interface NewContribution extends StoredContribution {
  lead_ref: string;
  ruleset_id: string;
}

interface CurrentScoreRow {
  lead_ref: string;
  org_id: string;
  unit_id: string;
  lead_id: string;
  lead_score: number | null;
  score_reset_at: Date | null;
  allow_negative: boolean;
  primary_ruleset: string | null;
  ruleset_id: string | null;
  score: number | null;
  terms: ScoreTerms | null;
  computed_at: Date | null;
  event_count: number | null;
}

/**
 * Moves the `lead_scores` rows of the leads a batch of new events touched forward by the batch's contributions
 * alone (see `ScoreTerms`): one read of the leads' current rows, one upsert of the changed ones. A lead whose row
 * cannot move forward exactly (no terms yet, a future-dated contribution, a clock that went back) is recomputed
 * from its stored contributions instead. Like the recompute, leaves `leads.score` to the caller (`primary`).
 * Only for events newly recorded since the rows were computed: deletions, regroups, merges, rescores and resets
 * recompute.
 */
export async function addToLeadScores(m: EntityManager, contributions: NewContribution[], now: Date): Promise<Recomputed> {
  if (!contributions.length) return { changes: [], primary: new Map() };
  const refs = [...new Set(contributions.map((c) => c.lead_ref))];
  const current = await selectRows<CurrentScoreRow>(
    m,
    sql`SELECT l.id AS lead_ref, l.org_id, l.unit_id, l.lead_id, l.score AS lead_score, l.score_reset_at,
               coalesce(ss.allow_negative_scores, false) AS allow_negative, pr.id AS primary_ruleset,
               t.ruleset_id, t.score, t.terms, t.computed_at, t.event_count
          FROM unnest(${refs}::text[]) AS r(ref)
          JOIN leads l ON l.id = r.ref
          LEFT JOIN scoring_settings ss ON ss.org_id = l.org_id
          LEFT JOIN rulesets pr ON pr.unit_id = l.unit_id AND pr.dimension = ${PRIMARY_SCORE_DIMENSION} AND pr.is_primary
          LEFT JOIN lead_scores t ON t.lead_ref = l.id`,
  );
  const leads = new Map<string, CurrentScoreRow>();
  const rows = new Map<string, CurrentScoreRow>();
  for (const r of current) {
    leads.set(r.lead_ref, r);
    if (r.ruleset_id) rows.set(`${r.lead_ref}/${r.ruleset_id}`, r);
  }
  const fallback = new Set<string>();
  const next = new Map<string, { lead: CurrentScoreRow; ruleset_id: string; previous: number; terms: ScoreTerms; added: number }>();
  for (const c of contributions) {
    const lead = leads.get(c.lead_ref);
    if (!lead || fallback.has(c.lead_ref)) continue;
    if (lead.score_reset_at && c.occurred_at.getTime() < new Date(lead.score_reset_at).getTime()) continue; // LEAD-20: never counts
    const key = `${c.lead_ref}/${c.ruleset_id}`;
    let n = next.get(key);
    if (!n) {
      const row = rows.get(key);
      const at = row?.computed_at ? new Date(row.computed_at) : null;
      if (row && (!row.terms || !at || at.getTime() > now.getTime())) {
        fallback.add(c.lead_ref);
        continue;
      }
      n = { lead, ruleset_id: c.ruleset_id, previous: Number(row?.score ?? 0), terms: row && at ? decayTerms(row.terms!, at, now) : {}, added: 0 };
      next.set(key, n);
    }
    if (c.occurred_at.getTime() > now.getTime()) {
      fallback.add(c.lead_ref);
      continue;
    }
    addToTerms(n.terms, c, now);
    n.added++;
  }
  const changes: ScoreChange[] = [];
  const primary = new Map<string, number>();
  const upserts: Record<string, unknown>[] = [];
  for (const [key, n] of next) {
    if (fallback.has(n.lead.lead_ref)) continue;
    const raw = termsTotal(n.terms);
    const score = n.lead.allow_negative ? raw : Math.max(0, raw);
    upserts.push({
      lead_ref: n.lead.lead_ref,
      ruleset_id: n.ruleset_id,
      org_id: n.lead.org_id,
      unit_id: n.lead.unit_id,
      score,
      decays: termsDecay(n.terms),
      event_count: Number(rows.get(key)?.event_count ?? 0) + n.added,
      terms: n.terms,
    });
    if (roundScore(n.previous) !== roundScore(score))
      changes.push({ lead_ref: n.lead.lead_ref, lead_id: n.lead.lead_id, unit_id: n.lead.unit_id, ruleset_id: n.ruleset_id, previous: n.previous, score });
    if (n.ruleset_id === n.lead.primary_ruleset && Number(n.lead.lead_score) !== score) primary.set(n.lead.lead_ref, score);
  }
  if (upserts.length) {
    await execute(
      m,
      sql`INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at, terms)
          SELECT x.lead_ref, x.ruleset_id, x.org_id, x.unit_id, x.score, x.decays, x.event_count, ${now.toISOString()}, x.terms
            FROM jsonb_to_recordset(${JSON.stringify(upserts)}::jsonb)
                 AS x(lead_ref text, ruleset_id text, org_id text, unit_id text, score double precision, decays boolean, event_count int, terms jsonb)
          ON CONFLICT (lead_ref, ruleset_id) DO UPDATE
             SET score = excluded.score, decays = excluded.decays, event_count = excluded.event_count, computed_at = excluded.computed_at, terms = excluded.terms`,
    );
  }
  if (fallback.size) {
    const full = await recompute(m, [...fallback], now, false);
    changes.push(...full.changes);
    for (const [ref, score] of full.primary) primary.set(ref, score);
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
