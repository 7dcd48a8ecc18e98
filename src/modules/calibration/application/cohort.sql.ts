import { Sql, sql } from '../../../platform/database';
import { UnitScope, unitScope } from '../../../platform/tenancy';
import { canonicalEventType, DECAY_RULE_ID } from '../../scoring/domain';
import { ConversionDefinition, MANUAL_LABEL_KEY } from '../domain/conversion-definition';

/**
 * CAL-11 cohort of one OU as a query `(lead_ref, converted)`: the live leads with at least one scored event (an
 * `event_scores` contribution other than decay) in the lookback window, and whether each converted per the OU's
 * definition. One aggregate over the window's contributions, joined to the lead and to at most one set of
 * converted leads or accounts:
 * - closed_won / deal_stage_reached: a deal of the lead's account (`deals.account_id` = the account's key) whose
 *   stage is one of `deal_stages` (compared case-insensitively) and that closed (or, without `closed_at`, last
 *   changed) inside the window. The deals table holds the current stage only, so "reached" means "is in now".
 * - event_type_match: the lead has an unsuppressed event of that type inside the window.
 * - engagement_persistence: the lead's scored events inside the window span at least `engagement_persistence_days`
 *   (it kept engaging that long after its first one).
 * - manual_label: the lead's attribute `converted` is true / "true" / "yes" / 1.
 */
export function cohortQuery(scope: UnitScope, def: ConversionDefinition, from: Date, to: Date): Sql {
  const f = from.toISOString();
  const t = to.toISOString();
  const scored = sql`SELECT es.lead_ref, min(es.occurred_at) AS first_at, max(es.occurred_at) AS last_at
                       FROM event_scores es
                      WHERE ${unitScope('es', scope)} AND es.occurred_at >= ${f} AND es.occurred_at <= ${t} AND es.rule_id <> ${DECAY_RULE_ID}
                      GROUP BY es.lead_ref`;
  switch (def.conversion_type) {
    case 'closed_won':
    case 'deal_stage_reached': {
      const stages = def.deal_stages.map((s) => s.toLowerCase());
      return sql`WITH won AS (
                   SELECT DISTINCT a.id FROM deals d JOIN accounts a ON a.unit_id = d.unit_id AND a.account_id = d.account_id
                    WHERE ${unitScope('d', scope)} AND lower(d.stage) = ANY(${stages}::text[])
                      AND coalesce(d.closed_at, d.updated_at) >= ${f} AND coalesce(d.closed_at, d.updated_at) <= ${t}
                 )
                 SELECT s.lead_ref, (w.id IS NOT NULL) AS converted
                   FROM (${scored}) s JOIN leads l ON l.id = s.lead_ref AND l.status = 'active'
                   LEFT JOIN won w ON w.id = l.account_ref`;
    }
    case 'event_type_match':
      return sql`WITH hit AS (
                   SELECT DISTINCT e.lead_ref FROM lead_events e
                    WHERE ${unitScope('e', scope)} AND e.event_type_key = ${canonicalEventType(def.event_type_id ?? '')}
                      AND e.occurred_at >= ${f} AND e.occurred_at <= ${t} AND e.suppression IS NULL AND e.lead_ref IS NOT NULL
                 )
                 SELECT s.lead_ref, (h.lead_ref IS NOT NULL) AS converted
                   FROM (${scored}) s JOIN leads l ON l.id = s.lead_ref AND l.status = 'active'
                   LEFT JOIN hit h ON h.lead_ref = s.lead_ref`;
    case 'engagement_persistence':
      return sql`SELECT s.lead_ref, (s.last_at - s.first_at >= make_interval(days => ${def.engagement_persistence_days}::int)) AS converted
                   FROM (${scored}) s JOIN leads l ON l.id = s.lead_ref AND l.status = 'active'`;
    case 'manual_label':
      return sql`SELECT s.lead_ref, coalesce(lower(l.metadata->>${MANUAL_LABEL_KEY}) IN ('true', 'yes', '1'), false) AS converted
                   FROM (${scored}) s JOIN leads l ON l.id = s.lead_ref AND l.status = 'active'`;
  }
}
