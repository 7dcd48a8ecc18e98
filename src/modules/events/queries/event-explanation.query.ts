import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';
import { Condition, contributionPoints, decayFactor, renderFilterLabel, roundScore, rulesetScore, ScoreReader, StoredContribution } from '../../scoring';
import { EventExplanationDto, RulesetDeltaDto } from '../http/events.dto';
import { EventErrors } from '../events.errors';
import { EVENT_COLUMNS, EventRow } from './event-views';

const UUID = /^[0-9a-f-]{36}$/i;

/** One `event_scores` row of the lead with its ruleset's name and the matched rule's filters. */
interface ContributionRow {
  event_id: string;
  ruleset_id: string;
  rule_id: string | null;
  base_points: number | string;
  multiplier: number | string;
  half_life_days: number | null;
  occurred_at: Date | string;
  name: string;
  filters: Condition[] | null;
}

const toContribution = (row: ContributionRow): StoredContribution => ({
  occurred_at: new Date(row.occurred_at),
  base_points: Number(row.base_points),
  multiplier: Number(row.multiplier),
  half_life_days: row.half_life_days,
});

/** Whether `other` was scored before `row` (by time, then by event id). */
function earlierThan(other: ContributionRow, row: ContributionRow): boolean {
  const at = new Date(row.occurred_at).getTime();
  const otherAt = new Date(other.occurred_at).getTime();
  return otherAt < at || (otherAt === at && other.event_id < row.event_id);
}

/** What one event contributes to each ruleset now, and the ruleset score before and after it. */
@Injectable()
export class EventExplanationQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly clock: Clock,
  ) {}

  async explain(eventId: string): Promise<EventExplanationDto> {
    const scope = unitOnly();
    if (!UUID.test(eventId)) throw EventErrors.notFound('event_not_found', 'event');
    const event = await selectOne<EventRow>(this.ds, sql`SELECT ${EVENT_COLUMNS} FROM lead_events WHERE event_id = ${eventId} AND ${scope}`);
    if (!event) throw EventErrors.notFound('event_not_found', 'event');
    const now = this.clock.now();
    const base = {
      event_id: event.event_id,
      lead_id: event.lead_id,
      event_type: event.event_type,
      occurred_at: new Date(event.occurred_at).toISOString(),
      suppressed: event.suppression,
      filter_id: event.filter_id,
    };
    if (!event.lead_ref || !event.lead_id) return { ...base, rulesets: [] };
    const lead = (await selectOne<{ org_id: string; score_reset_at: Date | null }>(
      this.ds,
      sql`SELECT id, org_id, score_reset_at FROM leads WHERE id = ${event.lead_ref}`,
    ))!;
    const allowNegative = await this.reader.allowNegative(lead.org_id);
    const rows = await selectRows<ContributionRow>(
      this.ds,
      sql`SELECT s.event_id, s.ruleset_id, s.rule_id, s.base_points, s.multiplier, s.half_life_days, s.occurred_at, rs.name, r.filters
            FROM event_scores s JOIN rulesets rs ON rs.id = s.ruleset_id LEFT JOIN rules r ON r.id = s.rule_id
           WHERE s.lead_ref = ${event.lead_ref} ORDER BY s.occurred_at, s.event_id`,
    );
    const resetAt = lead.score_reset_at ? new Date(lead.score_reset_at) : null;
    const delta = (row: ContributionRow): RulesetDeltaDto => {
      const earlier = rows.filter((x) => x.ruleset_id === row.ruleset_id && x.event_id !== row.event_id && earlierThan(x, row)).map(toContribution);
      const before = rulesetScore(earlier, now, { allowNegative, resetAt });
      const after = rulesetScore([...earlier, toContribution(row)], now, { allowNegative, resetAt });
      return {
        ruleset_id: row.ruleset_id,
        name: row.name,
        rule_id: row.rule_id,
        filter_label: renderFilterLabel(row.filters ?? []) ?? null,
        base_points: Number(row.base_points),
        multiplier: Number(row.multiplier),
        half_life_days: row.half_life_days,
        decay_factor: decayFactor(new Date(row.occurred_at), now, row.half_life_days),
        delta: Math.round(contributionPoints(toContribution(row), now) * 100) / 100,
        before: roundScore(before),
        after: roundScore(after),
      };
    };
    return { ...base, rulesets: rows.filter((r) => r.event_id === event.event_id).map(delta) };
  }
}
