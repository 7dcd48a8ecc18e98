import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppError } from '../../platform/http/app-error';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { rulesetScore, StoredContribution } from './domain/score-ruleset';

export interface LeadRow {
  id: string;
  lead_id: string;
  org_id: string;
  unit_id: string;
  score_reset_at: Date | null;
}

/**
 * Exact engagement scores of one lead "now", computed through the scoring core from its stored contributions
 * (decay is applied at read time, so a score read is never stale by the hourly refresh of `lead_scores`).
 */
@Injectable()
export class ScoreReader {
  constructor(private readonly ds: DataSource, private readonly clock: Clock) {}

  /** A lead of the active OU by its public id; 404 otherwise (another OU's lead included). */
  async lead(leadId: string, m: EntityManager = this.ds.manager): Promise<LeadRow> {
    const { org_id, unit_id } = tenantKey();
    const [row] = await m.query(
      `SELECT id, lead_id, org_id, unit_id, score_reset_at FROM leads WHERE unit_id = $1 AND org_id = $2 AND lead_id = $3 AND status = 'active'`,
      [unit_id, org_id, leadId],
    );
    if (!row) throw AppError.notFound('lead', 'lead_not_found');
    return row;
  }

  async allowNegative(orgId: string, m: EntityManager = this.ds.manager): Promise<boolean> {
    const [row] = await m.query(`SELECT allow_negative_scores FROM scoring_settings WHERE org_id = $1`, [orgId]);
    return row?.allow_negative_scores ?? false;
  }

  /** Score per engagement ruleset of the lead's OU (0 where it earned nothing), as of `now`. */
  async scores(lead: LeadRow, now = this.clock.now(), m: EntityManager = this.ds.manager): Promise<{ ruleset_id: string; name: string; active: boolean; is_primary: boolean; score: number }[]> {
    const [rulesets, rows, allowNegative] = [
      await m.query(
        `SELECT id, name, active, is_primary FROM rulesets WHERE unit_id = $1 AND dimension = 'engagement' ORDER BY is_primary DESC, created_at, id`,
        [lead.unit_id],
      ),
      await m.query(
        `SELECT ruleset_id, occurred_at, base_points, multiplier, half_life_days FROM event_scores WHERE lead_ref = $1`,
        [lead.id],
      ),
      await this.allowNegative(lead.org_id, m),
    ];
    const byRuleset = new Map<string, StoredContribution[]>();
    for (const r of rows) {
      const list = byRuleset.get(r.ruleset_id) ?? [];
      list.push({ occurred_at: new Date(r.occurred_at), base_points: Number(r.base_points), multiplier: Number(r.multiplier), half_life_days: r.half_life_days });
      byRuleset.set(r.ruleset_id, list);
    }
    return rulesets.map((rs: { id: string; name: string; active: boolean; is_primary: boolean }) => ({
      ruleset_id: rs.id,
      name: rs.name,
      active: rs.active,
      is_primary: rs.is_primary,
      score: rulesetScore(byRuleset.get(rs.id) ?? [], now, { allowNegative, resetAt: lead.score_reset_at ? new Date(lead.score_reset_at) : null }),
    }));
  }
}
