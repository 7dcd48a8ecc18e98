import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { raw, selectRows, Sql, sql } from '../../../platform/database';
import { isoOrNull } from '../../../platform/http';
import { unitOnly } from '../../../platform/tenancy';
import { touchHourOf } from '../../events';
import { CampaignDimension, utmColumn } from '../domain/campaign-dimension';
import { DateWindow } from '../domain/date-bound';
import { CampaignLeadDto, CampaignRowDto } from '../http/analytics.dto';
import { closedWon, displayedScore, engagementEvent, occurredWithin, touchWindow } from './analytics-sql';

/** The touch rollups' dimension of each UTM key. */
const DIM_OF: Record<CampaignDimension, 'c' | 's' | 'm'> = { campaign: 'c', source: 's', medium: 'm' };

/** Pipeline figures per value from `value_accounts` (value, account_id): deals of every stage, and the closed-won ones. */
const perAccount = (): Sql =>
  sql`per_account AS (
        SELECT va.value, count(DISTINCT va.account_id)::int AS accounts, count(d.id)::int AS deals, coalesce(sum(d.amount), 0) AS pipeline_amount,
               count(d.id) FILTER (WHERE ${closedWon('d')})::int AS closed_won_deals,
               coalesce(sum(d.amount) FILTER (WHERE ${closedWon('d')}), 0) AS closed_won_amount
          FROM value_accounts va LEFT JOIN deals d ON ${unitOnly('d')} AND d.account_id = va.account_id
         GROUP BY va.value
      )`;

/** The report's rows from `per_value` and `per_account`, most events first. */
const campaignRows = (): Sql =>
  sql`SELECT p.value, p.events, p.leads, coalesce(x.accounts, 0) AS accounts, coalesce(x.deals, 0) AS deals,
             coalesce(x.pipeline_amount, 0) AS pipeline_amount, coalesce(x.closed_won_deals, 0) AS closed_won_deals,
             coalesce(x.closed_won_amount, 0) AS closed_won_amount, p.first_seen, p.last_seen
        FROM per_value p LEFT JOIN per_account x ON x.value = p.value
       ORDER BY p.events DESC, p.value`;

/** AN-3: the drill-down's size. */
export const CAMPAIGN_LEADS_MAX = 500;

const num = (v: unknown): number => Number(v ?? 0);

/**
 * UTM campaign performance (AN-1..AN-4) from the engagement events carrying the value (the generated
 * `lead_events.utm_*` columns, read through their partial covering indexes). Pipeline figures follow lead →
 * account (`leads.account_ref`, the ABM grouping) → deals of that account, multi-touch and unweighted: a deal counts
 * in full for every value that touched its account. `deals` and `pipeline_amount` cover every deal of those
 * accounts, whatever its stage; `closed_won_*` the closed-won ones.
 */
@Injectable()
export class CampaignsQuery {
  constructor(private readonly ds: DataSource) {}

  async campaigns(dimension: CampaignDimension, window: DateWindow): Promise<CampaignRowDto[]> {
    const rows = window.end ? await this.fromEvents(dimension, window) : await this.fromRollups(dimension, window.start);
    return rows.map((r) => ({
      value: String(r.value),
      events: num(r.events),
      leads: num(r.leads),
      accounts: num(r.accounts),
      deals: num(r.deals),
      pipeline_amount: num(r.pipeline_amount),
      closed_won_deals: num(r.closed_won_deals),
      closed_won_amount: num(r.closed_won_amount),
      first_seen: isoOrNull(r.first_seen as Date)!,
      last_seen: isoOrNull(r.last_seen as Date)!,
    }));
  }

  /**
   * A window that ends now (no `end_date`): from the touch rollups (`event_touch_hours`, `leads.touches`; see the events
   * module's `event-touches.sql.ts`) — the cells after the start's hour, plus the events of the start's own hour from
   * the start on, whose leads count when their latest touch of the value is in that hour. Accounts are those of the
   * leads whose latest touch of the value is in the window, i.e. of the same leads the count is of.
   */
  private fromRollups(dimension: CampaignDimension, start: Date | null): Promise<Record<string, unknown>[]> {
    const dim = DIM_OF[dimension];
    const hour = start ? touchHourOf(start) : null;
    return selectRows<Record<string, unknown>>(
      this.ds,
      sql`WITH ${touchWindow(dim, raw(`e.${utmColumn(dimension)}`), start)}, value_accounts AS (
            SELECT DISTINCT substr(t.k, 3) AS value, a.account_id
              FROM leads l JOIN accounts a ON a.id = l.account_ref AND a.archived_at IS NULL
              CROSS JOIN LATERAL jsonb_each_text(l.touches) AS t(k, v)
             WHERE ${unitOnly('l')} AND l.account_ref IS NOT NULL AND left(t.k, 2) = ${`${dim}:`}
               AND (${hour}::int IS NULL OR t.v::int > ${hour}::int
                    OR (t.v::int = ${hour}::int AND EXISTS (SELECT 1 FROM touch_slice s WHERE s.lead_ref = l.id AND s.value = substr(t.k, 3))))
          ), ${perAccount()}
          ${campaignRows()}`,
    );
  }

  /** Any other window: grouped from the events themselves. */
  private fromEvents(dimension: CampaignDimension, window: DateWindow): Promise<Record<string, unknown>[]> {
    const col = raw(`e.${utmColumn(dimension)}`);
    return selectRows<Record<string, unknown>>(
      this.ds,
      sql`WITH touch AS (
            SELECT ${col} AS value, e.lead_ref, count(*) AS events, min(e.occurred_at) AS first_seen, max(e.occurred_at) AS last_seen
              FROM lead_events e
             WHERE ${unitOnly('e')} AND ${col} IS NOT NULL AND ${engagementEvent('e')} AND ${occurredWithin('e', window)}
             GROUP BY 1, 2
          ), per_value AS (
            SELECT value, sum(events)::bigint AS events, count(lead_ref)::int AS leads, min(first_seen) AS first_seen, max(last_seen) AS last_seen
              FROM touch GROUP BY value
          ), value_accounts AS (
            SELECT DISTINCT t.value, a.account_id
              FROM touch t JOIN leads l ON l.id = t.lead_ref JOIN accounts a ON a.id = l.account_ref AND a.archived_at IS NULL
             WHERE t.lead_ref IS NOT NULL AND l.account_ref IS NOT NULL
          ), ${perAccount()}
          ${campaignRows()}`,
    );
  }

  /** AN-3: the leads whose engagement events carry exactly `value`, most recent first touch first, at most 500. */
  async leads(dimension: CampaignDimension, value: string, window: DateWindow): Promise<CampaignLeadDto[]> {
    const col = raw(`e.${utmColumn(dimension)}`);
    const rows = await selectRows<Record<string, unknown>>(
      this.ds,
      sql`WITH touch AS (
            SELECT e.lead_ref, count(*) AS events, min(e.occurred_at) AS first_touch_at, max(e.occurred_at) AS last_touch_at
              FROM lead_events e
             WHERE ${unitOnly('e')} AND ${col} = ${value} AND e.lead_ref IS NOT NULL AND ${engagementEvent('e')} AND ${occurredWithin('e', window)}
             GROUP BY e.lead_ref
          )
          SELECT l.lead_id, ${displayedScore('l')} AS score, t.events, t.first_touch_at, t.last_touch_at, a.account_id, a.name AS account_name,
                 coalesce(d.deals, 0) AS deals, coalesce(d.closed_won_deals, 0) AS closed_won_deals, coalesce(d.pipeline_amount, 0) AS pipeline_amount
            FROM touch t
            JOIN leads l ON l.id = t.lead_ref AND l.status = 'active'
            LEFT JOIN accounts a ON a.id = l.account_ref AND a.archived_at IS NULL
            LEFT JOIN LATERAL (
              SELECT count(*)::int AS deals, count(*) FILTER (WHERE ${closedWon('x')})::int AS closed_won_deals, coalesce(sum(x.amount), 0) AS pipeline_amount
                FROM deals x WHERE ${unitOnly('x')} AND x.account_id = a.account_id
            ) d ON a.id IS NOT NULL
           ORDER BY t.first_touch_at DESC, l.lead_id
           LIMIT ${CAMPAIGN_LEADS_MAX}`,
    );
    return rows.map((r) => ({
      lead_id: String(r.lead_id),
      score: num(r.score),
      events: num(r.events),
      first_touch_at: isoOrNull(r.first_touch_at as Date)!,
      last_touch_at: isoOrNull(r.last_touch_at as Date)!,
      account_id: (r.account_id as string | null) ?? null,
      account_name: (r.account_name as string | null) ?? null,
      deals: num(r.deals),
      closed_won_deals: num(r.closed_won_deals),
      pipeline_amount: num(r.pipeline_amount),
    }));
  }
}
