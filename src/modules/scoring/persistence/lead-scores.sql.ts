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

interface StoredScoreRow {
  lead_ref: string;
  ruleset_id: string;
  score: number;
}

interface FreshScoreRow extends StoredScoreRow {
  lead_id: string;
  unit_id: string;
}

/** Recomputes the `lead_scores` rows of the given leads as of `now`; returns those whose displayed score changed. */
export async function recomputeLeadScores(m: EntityManager, leadRefs: string[], now: Date): Promise<ScoreChange[]> {
  if (!leadRefs.length) return [];
  const before = await selectRows<StoredScoreRow>(m, sql`SELECT lead_ref, ruleset_id, score FROM lead_scores WHERE lead_ref = ANY(${leadRefs}::text[])`);
  await execute(m, sql`DELETE FROM lead_scores WHERE lead_ref = ANY(${leadRefs}::text[])`);
  // DECAYED_POINTS_SQL reads "now" as $2, so this statement keeps its hand-numbered parameters
  const after: FreshScoreRow[] = await m.query(
    `WITH fresh AS (
       SELECT s.lead_ref, s.ruleset_id, l.org_id, l.unit_id, l.lead_id,
              sum(${DECAYED_POINTS_SQL}) AS raw, bool_or(s.half_life_days IS NOT NULL) AS decays, count(*)::int AS n
         FROM event_scores s JOIN leads l ON l.id = s.lead_ref
        WHERE s.lead_ref = ANY($1::text[]) AND (l.score_reset_at IS NULL OR s.occurred_at >= l.score_reset_at)
        GROUP BY s.lead_ref, s.ruleset_id, l.org_id, l.unit_id, l.lead_id
     ), ins AS (
       INSERT INTO lead_scores (lead_ref, ruleset_id, org_id, unit_id, score, decays, event_count, computed_at)
       SELECT f.lead_ref, f.ruleset_id, f.org_id, f.unit_id,
              CASE WHEN coalesce(ss.allow_negative_scores, false) THEN f.raw ELSE greatest(0, f.raw) END, f.decays, f.n, $2
         FROM fresh f LEFT JOIN scoring_settings ss ON ss.org_id = f.org_id
       RETURNING lead_ref, ruleset_id, score
     )
     SELECT i.lead_ref, f.lead_id, f.unit_id, i.ruleset_id, i.score FROM ins i JOIN fresh f USING (lead_ref, ruleset_id)`,
    [leadRefs, now.toISOString()],
  );
  await syncPrimaryScores(m, sql`l.id = ANY(${leadRefs}::text[])`);
  return scoreChanges(m, before, after);
}

async function scoreChanges(m: EntityManager, before: StoredScoreRow[], after: FreshScoreRow[]): Promise<ScoreChange[]> {
  const previous = new Map(before.map((b) => [`${b.lead_ref}/${b.ruleset_id}`, Number(b.score)]));
  const changes: ScoreChange[] = [];
  const seen = new Set<string>();
  for (const a of after) {
    const key = `${a.lead_ref}/${a.ruleset_id}`;
    seen.add(key);
    const prev = previous.get(key) ?? 0;
    if (roundScore(prev) !== roundScore(Number(a.score))) changes.push({ ...a, score: Number(a.score), previous: prev });
  }
  const gone = before.filter((b) => !seen.has(`${b.lead_ref}/${b.ruleset_id}`) && roundScore(Number(b.score)) !== 0);
  if (gone.length) {
    const leads = await selectRows<{ id: string; lead_id: string; unit_id: string }>(
      m,
      sql`SELECT id, lead_id, unit_id FROM leads WHERE id = ANY(${gone.map((g) => g.lead_ref)}::text[])`,
    );
    const byRef = new Map(leads.map((l) => [l.id, l]));
    for (const g of gone) {
      const lead = byRef.get(g.lead_ref);
      if (lead)
        changes.push({ lead_ref: g.lead_ref, lead_id: lead.lead_id, unit_id: lead.unit_id, ruleset_id: g.ruleset_id, previous: Number(g.score), score: 0 });
    }
  }
  return changes;
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
