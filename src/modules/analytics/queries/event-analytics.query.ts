import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { joinSql, raw, selectOne, selectRows, Sql, sql } from '../../../platform/database';
import { relativeRange, RelativeRange } from '../../../platform/http';
import { unitOnly } from '../../../platform/tenancy';
import { canonicalEventType } from '../../scoring';
import { EventsAnalyticsDto, EventStatsDto } from '../http/analytics.dto';
import { engagementEvent, occurredWithin, touchWindow } from './analytics-sql';

const DAY_MS = 86_400_000;
const TOP_EVENTS = 10;

interface TopEventRow {
  event_type: string;
  count: number;
  leads: number;
}

interface TotalsRow {
  events: number;
  leads: number;
  suppressed: number;
  event_types: number;
}

/**
 * Counts of the active OU's events over a period, set-based on `lead_events` (index-only scans of
 * `lead_events_analytics_idx`); event types are named by the OU's catalog (`event_type_stats.name`).
 */
@Injectable()
export class EventAnalyticsQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async analytics(range: RelativeRange, eventType: string | undefined): Promise<EventsAnalyticsDto> {
    const where = [unitOnly('e'), sql`e.source <> 'system'`, this.period(range)];
    if (eventType !== undefined) where.push(sql`e.event_type_key = ${canonicalEventType(eventType)}`);
    const scope = joinSql(where);
    const totals = await this.totals(scope);
    const byType = await selectRows<{ name: string; n: number }>(
      this.ds,
      sql`SELECT coalesce(st.name, c.event_type_key) AS name, c.n FROM (
            SELECT e.event_type_key, count(*)::int AS n FROM lead_events e WHERE ${scope} AND ${engagementEvent('e')} GROUP BY e.event_type_key
          ) c LEFT JOIN event_type_stats st ON ${unitOnly('st')} AND st.key = c.event_type_key
          ORDER BY c.n DESC, name`,
    );
    return { range, totals, by_type: Object.fromEntries(byType.map((r) => [r.name, r.n])) };
  }

  async stats(range: RelativeRange): Promise<EventStatsDto> {
    const now = this.clock.now();
    const day = sql`${unitOnly('e')} AND e.source <> 'system' AND e.occurred_at >= ${new Date(now.getTime() - DAY_MS).toISOString()}`;
    const { events, leads, event_types } = await this.totals(day);
    const window = relativeRange(range, now);
    const top = window.end ? await this.topFromEvents(range) : await this.topFromRollups(window.start);
    return { range, last_24h: { events, leads, event_types }, top_events: top };
  }

  /**
   * The top types of a range that ends now, from the touch rollups (`event_touch_hours`, `leads.touches`; see the events
   * module's `event-touches.sql.ts`): the cells after the start's hour, plus the events of the start's own hour from
   * the start on, whose leads count when their latest touch of the type is in that hour.
   */
  private topFromRollups(start: Date | null): Promise<TopEventRow[]> {
    return selectRows<TopEventRow>(
      this.ds,
      sql`WITH ${touchWindow('t', raw('e.event_type_key'), start)}, c AS (
            SELECT value AS event_type_key, events::int AS n, leads::int AS leads FROM per_value ORDER BY n DESC, event_type_key LIMIT ${TOP_EVENTS}
          )
          SELECT coalesce(st.name, c.event_type_key) AS event_type, c.n AS count, c.leads
            FROM c LEFT JOIN event_type_stats st ON ${unitOnly('st')} AND st.key = c.event_type_key
           ORDER BY c.n DESC, c.event_type_key`,
    );
  }

  /**
   * Any other range, from the events: distinct leads per type as a count of (type, lead) groups, two hash aggregates
   * instead of count(DISTINCT …), which sorts every event of the period by type.
   */
  private topFromEvents(range: RelativeRange): Promise<TopEventRow[]> {
    return selectRows<TopEventRow>(
      this.ds,
      sql`SELECT coalesce(st.name, c.event_type_key) AS event_type, c.n AS count, c.leads FROM (
            SELECT p.event_type_key, sum(p.n)::int AS n, count(p.lead_ref)::int AS leads FROM (
              SELECT e.event_type_key, e.lead_ref, count(*) AS n
                FROM lead_events e WHERE ${unitOnly('e')} AND e.source <> 'system' AND ${this.period(range)} AND ${engagementEvent('e')}
               GROUP BY e.event_type_key, e.lead_ref
            ) p GROUP BY p.event_type_key ORDER BY n DESC, p.event_type_key LIMIT ${TOP_EVENTS}
          ) c LEFT JOIN event_type_stats st ON ${unitOnly('st')} AND st.key = c.event_type_key
          ORDER BY c.n DESC, c.event_type_key`,
    );
  }

  private period(range: RelativeRange): Sql {
    return occurredWithin('e', relativeRange(range, this.clock.now()));
  }

  private async totals(scope: Sql): Promise<TotalsRow> {
    const row = await selectOne<TotalsRow>(
      this.ds,
      sql`SELECT count(*) FILTER (WHERE e.suppression IS NULL)::int AS events,
                 count(DISTINCT e.lead_ref) FILTER (WHERE e.suppression IS NULL)::int AS leads,
                 count(*) FILTER (WHERE e.suppression IS NOT NULL)::int AS suppressed,
                 count(DISTINCT e.event_type_key) FILTER (WHERE e.suppression IS NULL)::int AS event_types
            FROM lead_events e WHERE ${scope}`,
    );
    return row!;
  }
}
