import { raw, Sql, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
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
