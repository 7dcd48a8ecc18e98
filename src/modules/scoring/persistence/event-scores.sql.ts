import { EntityManager } from 'typeorm';
import { execute, sql } from '../../../platform/database';

/**
 * Writes of `event_scores`: each event's undecayed contribution per ruleset (base points, surge multiplier,
 * half-life), the input of every score read and of `lead_scores`. The lead-events projection calls these as
 * the Lead stream records, rescores, moves or deletes events.
 */

/** One contribution as the Lead stream recorded it, with the event's tenant, lead and time. */
export interface ContributionRow {
  event_id: string;
  ruleset_id: string;
  org_id: string;
  unit_id: string;
  lead_ref: string;
  rule_id: string;
  base_points: number;
  multiplier: number;
  half_life_days: number | null;
  occurred_at: string;
}

/** A rescored or moved event's contribution (the tenant and lead come from the stream). */
export interface EventContribution {
  event_id: string;
  rule_id: string;
  base_points: number;
  multiplier: number;
  half_life_days: number | null;
}

export async function insertContributions(m: EntityManager, rows: ContributionRow[]): Promise<void> {
  if (!rows.length) return;
  await execute(
    m,
    sql`INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(event_id uuid, ruleset_id text, org_id text, unit_id text, lead_ref text,
               rule_id text, base_points double precision, multiplier double precision, half_life_days integer, occurred_at timestamptz)
        ON CONFLICT (event_id, ruleset_id) DO NOTHING`,
  );
}

/** Drops the events' contributions (to every ruleset, or to one). */
export async function dropContributions(m: EntityManager, eventIds: string[], rulesetId?: string): Promise<void> {
  const ofRuleset = rulesetId === undefined ? sql`` : sql`ruleset_id = ${rulesetId} AND `;
  await execute(m, sql`DELETE FROM event_scores WHERE ${ofRuleset}event_id = ANY(${eventIds}::uuid[])`);
}

/** Events moved to another lead by a merge, with the contributions they were rescored to there. */
export async function insertAdoptedContributions(
  m: EntityManager,
  lead: { org_id: string; unit_id: string; lead_ref: string },
  contributions: (EventContribution & { ruleset_id: string; occurred_at: string })[],
): Promise<void> {
  if (!contributions.length) return;
  await execute(
    m,
    sql`INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
        SELECT x.event_id, x.ruleset_id, ${lead.org_id}, ${lead.unit_id}, ${lead.lead_ref}, x.rule_id, x.base_points, x.multiplier, x.half_life_days, x.occurred_at
          FROM jsonb_to_recordset(${JSON.stringify(contributions)}::jsonb) AS x(event_id uuid, ruleset_id text, rule_id text, base_points double precision, multiplier double precision,
               half_life_days integer, occurred_at timestamptz)
        ON CONFLICT (event_id, ruleset_id) DO NOTHING`,
  );
}

/** One event's new contribution under a ruleset (null: it earns nothing there now), with its lead and tenant. */
export interface RescoredContribution {
  org_id: string;
  unit_id: string;
  lead_ref: string;
  ruleset_id: string;
  event_id: string;
  contribution: Omit<EventContribution, 'event_id'> | null;
}

/**
 * Many rescores at once (score-now writes one per lead and chunk): two statements whatever their number. Later
 * entries for the same event and ruleset win, as if applied one by one.
 */
export async function applyRescoredContributions(m: EntityManager, rescores: RescoredContribution[]): Promise<void> {
  const last = new Map<string, RescoredContribution>();
  for (const r of rescores) last.set(`${r.event_id}/${r.ruleset_id}`, r);
  const drops: { event_id: string; ruleset_id: string }[] = [];
  const sets: Record<string, unknown>[] = [];
  for (const r of last.values()) {
    if (r.contribution === null) drops.push({ event_id: r.event_id, ruleset_id: r.ruleset_id });
    else {
      const c = r.contribution;
      sets.push({ ...r, contribution: undefined, rule_id: c.rule_id, base_points: c.base_points, multiplier: c.multiplier, half_life_days: c.half_life_days });
    }
  }
  if (drops.length) {
    await execute(
      m,
      sql`DELETE FROM event_scores s USING jsonb_to_recordset(${JSON.stringify(drops)}::jsonb) AS x(event_id uuid, ruleset_id text)
           WHERE s.event_id = x.event_id AND s.ruleset_id = x.ruleset_id`,
    );
  }
  if (sets.length) {
    await execute(
      m,
      sql`INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
          SELECT x.event_id, x.ruleset_id, x.org_id, x.unit_id, x.lead_ref, x.rule_id, x.base_points, x.multiplier, x.half_life_days, le.occurred_at
            FROM jsonb_to_recordset(${JSON.stringify(sets)}::jsonb) AS x(event_id uuid, ruleset_id text, org_id text, unit_id text, lead_ref text, rule_id text,
                 base_points double precision, multiplier double precision, half_life_days integer)
            JOIN lead_events le ON le.event_id = x.event_id
          ON CONFLICT (event_id, ruleset_id) DO UPDATE SET rule_id = excluded.rule_id, base_points = excluded.base_points,
                 multiplier = excluded.multiplier, half_life_days = excluded.half_life_days`,
    );
  }
}
