import { raw, Sql, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { unitOnly } from '../../../platform/tenancy';
import { HOUR_MS, touchHourOf } from '../../events';
import { DateWindow } from '../domain/date-bound';

/**
 * What the analytics count as engagement: events people did (system-written ones such as decay are not) that were
 * not suppressed by a filter. The partial analytics indexes (migration 1764000000220) carry the same predicate.
 */
export const engagementEvent = (alias: string): Sql => raw(`${alias}.suppression IS NULL AND ${alias}.source <> 'system'`);

/** A closed-won deal: HubSpot's `closedwon` stage id or a label such as "Closed Won" / "closed_won". */
export const closedWon = (alias: string): Sql => raw(`lower(regexp_replace(coalesce(${alias}.stage, ''), '[^a-zA-Z]', '', 'g')) = 'closedwon'`);

/** `leads.score` (the primary engagement score) rounded half up, as the lead list shows it (`roundScore`). */
export const displayedScore = (alias: string): Sql => raw(`floor(round(${alias}.score::numeric, 9) + 0.5)::float8`);

/** `occurred_at` within `[start, end)` for the open or closed sides of a window. */
export function occurredWithin(alias: string, w: DateWindow): Sql {
  const col = raw(`${alias}.occurred_at`);
  return sql`${w.start ? sql`${col} >= ${w.start.toISOString()}` : raw('TRUE')} AND ${w.end ? sql`${col} < ${w.end.toISOString()}` : raw('TRUE')}`;
}

/** The 400 of query values the DTO lets through but that mean nothing (an impossible day, a reversed window). */
export function badQuery(problems: { field: string; reason: string }[]) {
  return PlatformErrors.error('validation_failed', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

/**
 * The CTEs `touch_slice` (the engagement events of the start's own hour from the start on: value, lead_ref,
 * occurred_at) and `per_value` (value, events, leads, first_seen, last_seen of the window `[start, now]`, only values
 * with events) of one dimension of the touch rollups (`event_touch_hours`, `leads.touches`; see the events module's
 * `event-touches.sql.ts`): the cells after the start's hour, plus the slice, whose leads count when their latest touch
 * of the value is in that hour. `column` is the `lead_events e` column holding the dimension's value.
 */
export function touchWindow(dim: 't' | 'c' | 's' | 'm', column: Sql, start: Date | null): Sql {
  const hour = start ? touchHourOf(start) : null;
  const slice =
    hour === null
      ? raw('FALSE')
      : sql`${unitOnly('e')} AND ${column} IS NOT NULL AND e.lead_ref IS NOT NULL AND ${engagementEvent('e')}
            AND e.occurred_at >= ${start!.toISOString()} AND e.occurred_at < ${new Date((hour + 1) * HOUR_MS).toISOString()}`;
  return sql`touch_cells AS (
        SELECT value, sum(events)::bigint AS events, sum(leads)::bigint AS leads, min(first_at) AS first_seen, max(last_at) AS last_seen
          FROM event_touch_hours WHERE ${unitOnly()} AND dim = ${dim} AND (${hour}::int IS NULL OR hour > ${hour}::int)
         GROUP BY value
      ), touch_slice AS (
        SELECT ${column} AS value, e.lead_ref, e.occurred_at FROM lead_events e WHERE ${slice}
      ), slice_values AS (
        SELECT value, count(*) AS events, min(occurred_at) AS first_seen, max(occurred_at) AS last_seen FROM touch_slice GROUP BY value
      ), slice_leads AS (
        SELECT s.value, count(DISTINCT s.lead_ref) AS leads
          FROM touch_slice s JOIN leads l ON l.id = s.lead_ref
         WHERE (l.touches ->> (${dim}::text || ':' || s.value))::int = ${hour}::int
         GROUP BY s.value
      ), per_value AS (
        SELECT coalesce(c.value, v.value) AS value, coalesce(c.events, 0) + coalesce(v.events, 0) AS events,
               coalesce(c.leads, 0) + coalesce(sl.leads, 0) AS leads,
               least(c.first_seen, v.first_seen) AS first_seen, greatest(c.last_seen, v.last_seen) AS last_seen
          FROM touch_cells c FULL JOIN slice_values v ON v.value = c.value
          LEFT JOIN slice_leads sl ON sl.value = coalesce(c.value, v.value)
         WHERE coalesce(c.events, 0) + coalesce(v.events, 0) > 0
      )`;
}
