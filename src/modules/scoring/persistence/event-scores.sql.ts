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

/** A lead's events rescored against one ruleset: their new contributions replace the old (times from `lead_events`). */
export async function upsertRescoredContributions(
  m: EntityManager,
  lead: { org_id: string; unit_id: string; lead_ref: string },
  rulesetId: string,
  contributions: EventContribution[],
): Promise<void> {
  if (!contributions.length) return;
  await execute(
    m,
    sql`INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
        SELECT x.event_id, ${rulesetId}, ${lead.org_id}, ${lead.unit_id}, ${lead.lead_ref}, x.rule_id, x.base_points, x.multiplier, x.half_life_days, le.occurred_at
          FROM jsonb_to_recordset(${JSON.stringify(contributions)}::jsonb) AS x(event_id uuid, rule_id text, base_points double precision, multiplier double precision, half_life_days integer)
          JOIN lead_events le ON le.event_id = x.event_id
        ON CONFLICT (event_id, ruleset_id) DO UPDATE SET rule_id = excluded.rule_id, base_points = excluded.base_points,
               multiplier = excluded.multiplier, half_life_days = excluded.half_life_days`,
  );
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
