import { EntityManager } from 'typeorm';
import { raw, selectRows, Sql, sql } from '../../../platform/database';
import { ENGAGEMENT } from '../../scoring';

/** One level of the configuration that classifies an OU's leads. */
export interface UnitLevelRow {
  unit_id: string;
  ruleset_id: string | null;
  id: string;
  name: string;
  min_score: number;
  max_score: number | null;
}

/** One `level_changed`: a lead entered another level (or none). */
export interface LevelChange {
  org_id: string;
  unit_id: string;
  lead_id: string;
  kind: string;
  ruleset_id: string | null;
  from: string | null;
  to: string | null;
  from_level_id: string | null;
  to_level_id: string | null;
  score: number;
  changed_at: string;
}

/**
 * The engagement levels in effect in each OU: those of the primary engagement ruleset (LVL-7: `leads.score` is its
 * score); while the primary has none, the levels the OU stored with no ruleset (before it had one). Units without
 * levels have no rows.
 */
export async function engagementLevelsInEffect(m: EntityManager, unitIds: string[]): Promise<UnitLevelRow[]> {
  return levelsInEffect(m, ENGAGEMENT, unitIds);
}

/** The kinds of level materialised on `leads`, with the columns each is derived from and kept in. */
export type LeadLevelKind = typeof ENGAGEMENT | 'profile';
const LEAD_LEVEL_COLUMNS: Record<LeadLevelKind, { score: string; id: string; name: string }> = {
  engagement: { score: 'score', id: 'engagement_level_id', name: 'engagement_level' },
  profile: { score: 'profile_score', id: 'profile_level_id', name: 'profile_level' },
};

/**
 * The levels of `kind` in effect in each OU (see engagementLevelsInEffect: the primary ruleset's of the dimension, else
 * the OU's own). Also the account levels the accounts module classifies account scores with.
 */
export async function levelsInEffect(m: EntityManager, kind: LeadLevelKind | 'account', unitIds: string[]): Promise<UnitLevelRow[]> {
  if (!unitIds.length) return [];
  return selectRows<UnitLevelRow>(
    m,
    sql`WITH u AS (SELECT DISTINCT unnest(${unitIds}::text[]) AS unit_id),
        p AS (SELECT u.unit_id, r.id AS primary_id FROM u LEFT JOIN rulesets r ON r.unit_id = u.unit_id AND r.dimension = ${kind} AND r.is_primary),
        e AS (SELECT p.unit_id,
                     CASE WHEN p.primary_id IS NOT NULL
                           AND (EXISTS (SELECT 1 FROM levels x WHERE x.unit_id = p.unit_id AND x.kind = ${kind} AND x.ruleset_id = p.primary_id)
                                OR NOT EXISTS (SELECT 1 FROM levels x WHERE x.unit_id = p.unit_id AND x.kind = ${kind} AND x.ruleset_id IS NULL))
                          THEN p.primary_id END AS ruleset_id
                FROM p)
        SELECT e.unit_id, e.ruleset_id, lv.id, lv.name, lv.min_score, lv.max_score
          FROM e JOIN levels lv ON lv.unit_id = e.unit_id AND lv.kind = ${kind} AND lv.ruleset_id IS NOT DISTINCT FROM e.ruleset_id
         ORDER BY e.unit_id, lv.min_score`,
  );
}

/** Whether any live lead of the OU holds a level of `kind` (a probe of the partial index of leads with one). */
export async function anyLeadWithLevel(m: EntityManager, unitId: string, kind: LeadLevelKind): Promise<boolean> {
  const col = LEAD_LEVEL_COLUMNS[kind];
  const rows = await selectRows<{ one: number }>(
    m,
    sql`SELECT 1 AS one FROM leads WHERE unit_id = ${unitId} AND status = 'active' AND ${raw(col.name)} IS NOT NULL LIMIT 1`,
  );
  return rows.length > 0;
}

/** The displayed score in SQL: `roundScore` (half up, after snapping float noise) of a score column. */
const rounded = (column: string) => `floor(round(l.${column}::numeric, 9) + 0.5)`;

/**
 * Re-derives `leads.engagement_level` of the live leads `targets` yields (a query with one column, `ref`) in the OUs
 * `unitIds` (leads of other OUs are left alone) from their `score` and `levels`, the configuration in effect of each
 * of those OUs (an OU without rows has no levels: its leads get none), in one statement: rows already right are not written, and every lead whose level changed gets a `lead_level_changes`
 * row — the durable `level_changed` record — which is returned for publishing.
 */
export async function classifyEngagementLevels(
  m: EntityManager,
  targets: Sql,
  unitIds: string[],
  levels: UnitLevelRow[],
  cause: string,
  now: Date,
  kind: LeadLevelKind = ENGAGEMENT,
): Promise<LevelChange[]> {
  const col = LEAD_LEVEL_COLUMNS[kind];
  const ROUNDED = rounded(col.score);
  const rows = await selectRows<LevelChange & { score: string | number }>(
    m,
    sql`WITH cfg AS MATERIALIZED (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(levels)}::jsonb)
                   AS c(unit_id text, ruleset_id text, id text, name text, min_score int, max_score int)
        ), cur AS (
          SELECT l.id, l.org_id, l.unit_id, l.lead_id, l.${raw(col.score)} AS score, l.${raw(col.id)} AS from_id, l.${raw(col.name)} AS from_name,
                 n.id AS to_id, n.name AS to_name, n.ruleset_id
            FROM (${targets}) t JOIN leads l ON l.id = t.ref
            LEFT JOIN LATERAL (SELECT c.id, c.name, c.ruleset_id FROM cfg c
                                WHERE c.unit_id = l.unit_id AND ${raw(ROUNDED)} >= c.min_score AND (c.max_score IS NULL OR ${raw(ROUNDED)} <= c.max_score)
                                ORDER BY c.min_score LIMIT 1) n ON true
           WHERE l.unit_id = ANY(${unitIds}::text[]) AND l.status = 'active' AND (l.${raw(col.id)} IS DISTINCT FROM n.id OR l.${raw(col.name)} IS DISTINCT FROM n.name)
        ), upd AS (
          UPDATE leads l SET ${raw(col.id)} = c.to_id, ${raw(col.name)} = c.to_name FROM cur c WHERE l.id = c.id
        )
        INSERT INTO lead_level_changes (org_id, unit_id, lead_ref, lead_id, kind, ruleset_id, from_level_id, from_level, to_level_id, to_level, score, cause, changed_at)
        SELECT org_id, unit_id, id, lead_id, ${kind}, ruleset_id, from_id, from_name, to_id, to_name, score, ${cause}, ${now.toISOString()}
          FROM cur WHERE from_id IS DISTINCT FROM to_id
        RETURNING org_id, unit_id, lead_id, kind, ruleset_id, from_level AS "from", to_level AS "to", from_level_id, to_level_id, score, changed_at`,
  );
  return rows.map((r) => ({ ...r, score: Number(r.score), changed_at: new Date(r.changed_at).toISOString() }));
}
