import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';
import { AttributionInsightsDto, EventTypeReachDto } from '../http/analytics.dto';
import { closedWon, engagementEvent } from './analytics-sql';

/**
 * When a deal entered each lifecycle milestone. The accounts module keeps no stage history, so MQL, SQL and
 * Opportunity come from the deal's CRM properties under HubSpot's lifecycle-stage date names (set by the sync),
 * and Close is the deal's `closed_at`.
 */
export const MILESTONE_PROPERTIES = {
  mql: 'hs_lifecyclestage_marketingqualifiedlead_date',
  sql: 'hs_lifecyclestage_salesqualifiedlead_date',
  opportunity: 'hs_lifecyclestage_opportunity_date',
} as const;

const TOP_EVENT_TYPES = 10;

/**
 * DEAL-3 over the active OU's closed-won deals. A deal's score at a milestone is the engagement score its account
 * showed then: the highest, among the account's live leads, of each lead's latest `scores.snapshot` at or before
 * the milestone. A milestone without a recorded date or without any snapshot by then is not recorded, and an
 * average without any recorded milestone is null. `top_event_types` ranks event types by how many closed-won deals
 * had them performed by the account's leads before the close.
 */
@Injectable()
export class DealAttributionQuery {
  constructor(private readonly ds: DataSource) {}

  async insights(): Promise<AttributionInsightsDto> {
    const won = sql`
      won AS (
        SELECT d.id, d.account_id, d.closed_at,
               analytics_try_timestamptz(d.properties->>${MILESTONE_PROPERTIES.mql}) AS mql_at,
               analytics_try_timestamptz(d.properties->>${MILESTONE_PROPERTIES.sql}) AS sql_at,
               analytics_try_timestamptz(d.properties->>${MILESTONE_PROPERTIES.opportunity}) AS opportunity_at
          FROM deals d WHERE ${unitOnly('d')} AND ${closedWon('d')}
      ), deal_leads AS (
        SELECT w.*, l.id AS lead_ref FROM won w
          JOIN accounts a ON ${unitOnly('a')} AND a.account_id = w.account_id AND a.archived_at IS NULL
          JOIN leads l ON l.account_ref = a.id AND l.status = 'active'
      )`;
    const averages = await selectOne<Record<'closed_won_deals' | 'mql' | 'sql' | 'opportunity' | 'close', string | number | null>>(
      this.ds,
      sql`WITH ${won}, milestones AS (
            SELECT dl.id, m.stage, m.at, dl.lead_ref FROM deal_leads dl
             CROSS JOIN LATERAL (VALUES ('mql', dl.mql_at), ('sql', dl.sql_at), ('opportunity', dl.opportunity_at), ('close', dl.closed_at)) m(stage, at)
             WHERE m.at IS NOT NULL
          ), deal_scores AS (
            SELECT ms.id, ms.stage, max(s.score) AS score FROM milestones ms
              CROSS JOIN LATERAL (
                SELECT x.score FROM score_snapshots x WHERE x.lead_ref = ms.lead_ref AND x.snapshot_at <= ms.at ORDER BY x.snapshot_at DESC LIMIT 1
              ) s
             GROUP BY ms.id, ms.stage
          )
          SELECT (SELECT count(*)::int FROM won) AS closed_won_deals,
                 round(avg(score) FILTER (WHERE stage = 'mql')::numeric, 1) AS mql,
                 round(avg(score) FILTER (WHERE stage = 'sql')::numeric, 1) AS sql,
                 round(avg(score) FILTER (WHERE stage = 'opportunity')::numeric, 1) AS opportunity,
                 round(avg(score) FILTER (WHERE stage = 'close')::numeric, 1) AS close
            FROM deal_scores`,
    );
    const top = await selectRows<EventTypeReachDto>(
      this.ds,
      sql`WITH ${won}, reach AS (
            SELECT e.event_type_key, count(DISTINCT dl.id)::int AS deals, count(*)::int AS events
              FROM deal_leads dl
              JOIN lead_events e ON e.lead_ref = dl.lead_ref AND ${engagementEvent('e')} AND e.occurred_at <= coalesce(dl.closed_at, 'infinity'::timestamptz)
             GROUP BY e.event_type_key ORDER BY deals DESC, events DESC, e.event_type_key LIMIT ${TOP_EVENT_TYPES}
          )
          SELECT coalesce(st.name, r.event_type_key) AS event_type, r.deals, r.events
            FROM reach r LEFT JOIN event_type_stats st ON ${unitOnly('st')} AND st.key = r.event_type_key
           ORDER BY r.deals DESC, r.events DESC, r.event_type_key`,
    );
    const avg = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
    return {
      closed_won_deals: Number(averages?.closed_won_deals ?? 0),
      avg_score_at_mql: avg(averages?.mql),
      avg_score_at_sql: avg(averages?.sql),
      avg_score_at_opportunity: avg(averages?.opportunity),
      avg_score_at_close: avg(averages?.close),
      top_event_types: top,
    };
  }
}
