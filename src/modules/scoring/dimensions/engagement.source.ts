import { Queryable, selectRows, sql } from '../../../platform/database';
import { ENGAGEMENT } from '../domain/dimension';
import { StoredContribution } from '../domain/score-ruleset';
import { DimensionSource } from './dimension-source';

interface EventScoreRow {
  ruleset_id: string;
  occurred_at: Date | string;
  base_points: number | string;
  multiplier: number | string;
  half_life_days: number | null;
}

/** Engagement scores a lead from its events: one `event_scores` row per event and ruleset it matched. */
export const engagementSource: DimensionSource = {
  dimension: ENGAGEMENT,
  async contributions(db: Queryable, leadRef: string): Promise<Map<string, StoredContribution[]>> {
    const rows = await selectRows<EventScoreRow>(
      db,
      sql`SELECT ruleset_id, occurred_at, base_points, multiplier, half_life_days FROM event_scores WHERE lead_ref = ${leadRef}`,
    );
    const byRuleset = new Map<string, StoredContribution[]>();
    for (const row of rows) {
      const list = byRuleset.get(row.ruleset_id) ?? [];
      list.push({
        occurred_at: new Date(row.occurred_at),
        base_points: Number(row.base_points),
        multiplier: Number(row.multiplier),
        half_life_days: row.half_life_days,
      });
      byRuleset.set(row.ruleset_id, list);
    }
    return byRuleset;
  },
};
