import { EntityManager } from 'typeorm';
import { AttributeDimension, Disqualifier } from '../domain/attribute-rules';

/** What one dimension decided for one lead: the matching hard-DQ rule, or none. */
export interface DisqualificationDecision {
  lead_ref: string;
  disqualified_by: Disqualifier | null;
}

export interface DisqualificationOutcome {
  /** leads that became disqualified (or moved to another rule of this dimension) */
  disqualified: string[];
  /** leads this dimension no longer disqualifies */
  requalified: string[];
}

/**
 * PRF-9..11: sets or clears the disqualification `dimension` decides for these leads, in one statement. A lead
 * disqualified by another dimension keeps that record (the first disqualification stands; a dimension only clears
 * its own), a lead already disqualified by the same rule is left alone (its `disqualified_at` is the first time),
 * and every entry and exit is recorded in `lead_disqualifications` with rule, time and reason (the GDPR Art. 22
 * trail). Profile rules call it from the re-evaluation of lead attributes; account hard-DQ rules call it with the
 * leads of the accounts they match.
 */
export async function applyDisqualifications(
  m: EntityManager,
  dimension: AttributeDimension,
  decisions: readonly DisqualificationDecision[],
  at: Date,
): Promise<DisqualificationOutcome> {
  if (!decisions.length) return { disqualified: [], requalified: [] };
  const rows: { id: string; action: 'disqualified' | 'requalified' }[] = await m.query(
    `WITH d AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(lead_ref text, dq jsonb)),
     chg AS (
       SELECT l.id, l.org_id, l.unit_id, l.lead_id, l.disqualification AS before, d.dq
         FROM d JOIN leads l ON l.id = d.lead_ref
        WHERE l.status = 'active'
          AND ((d.dq IS NOT NULL AND (NOT l.disqualified OR (l.disqualification->>'dimension' = $2 AND l.disqualification->>'rule_id' IS DISTINCT FROM d.dq->>'rule_id')))
            OR (d.dq IS NULL AND l.disqualified AND l.disqualification->>'dimension' = $2))
        FOR UPDATE OF l
     ), upd AS (
       UPDATE leads l SET disqualified = c.dq IS NOT NULL, disqualified_at = CASE WHEN c.dq IS NULL THEN NULL ELSE $3::timestamptz END, disqualification = c.dq
         FROM chg c WHERE l.id = c.id
     )
     INSERT INTO lead_disqualifications (org_id, unit_id, lead_ref, lead_id, action, dimension, rule_id, ruleset_id, rule_name, reason, at)
     SELECT c.org_id, c.unit_id, c.id, c.lead_id, CASE WHEN c.dq IS NULL THEN 'requalified' ELSE 'disqualified' END, $2,
            coalesce(c.dq, c.before)->>'rule_id', coalesce(c.dq, c.before)->>'ruleset_id', coalesce(c.dq, c.before)->>'rule_name',
            coalesce(c.dq->>'reason', 'No longer matched by ' || (c.before->>'dimension') || ' rule "' || (c.before->>'rule_name') || '"'), $3::timestamptz
       FROM chg c
     RETURNING lead_ref AS id, action`,
    [JSON.stringify(decisions.map((d) => ({ lead_ref: d.lead_ref, dq: d.disqualified_by }))), dimension, at.toISOString()],
  );
  return {
    disqualified: rows.filter((r) => r.action === 'disqualified').map((r) => r.id),
    requalified: rows.filter((r) => r.action === 'requalified').map((r) => r.id),
  };
}
