import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { RequestContext, unitOnly } from '../../../platform/tenancy';
import { rulesetScore, StoredContribution, roundScore } from '../../scoring/domain';
import { ScoreReader, ScoringErrors } from '../../scoring';
import { unitRulesets } from './unit-rulesets';

/**
 * LEAD-16: exact scores (as of now, through the scoring domain) of the active OU's leads among `leadIds`, in
 * request order, for the primary engagement ruleset (or the named one). Ids that name no lead of the active OU
 * are left out. Three queries whatever the number of leads.
 */
@Injectable()
export class LeadBatchScores {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly reader: ScoreReader,
  ) {}

  async scores(leadIds: string[], ruleset = 'primary'): Promise<{ lead_id: string; score: number; ruleset_id: string | null }[]> {
    const unitId = RequestContext.unitId();
    const wanted = [...new Set(leadIds)];
    const rulesets = await unitRulesets(this.ds, unitId);
    let target: string | null;
    if (ruleset === 'primary') target = rulesets.primary?.id ?? null;
    else {
      target = rulesets.names.has(ruleset) ? ruleset : ([...rulesets.names].find(([, name]) => name === ruleset)?.[0] ?? null);
      // the rulesets module's code, answered here for a ruleset the caller named
      if (!target) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
    }
    const [leads, contributions, allowNegative] = await Promise.all([
      selectRows<{ id: string; lead_id: string; score_reset_at: Date | null }>(
        this.ds,
        sql`SELECT id, lead_id, score_reset_at FROM leads WHERE ${unitOnly()} AND lead_id = ANY(${wanted}::text[]) AND status = 'active'`,
      ),
      target
        ? selectRows<StoredContribution & { lead_ref: string }>(
            this.ds,
            sql`SELECT s.lead_ref, s.occurred_at, s.base_points, s.multiplier, s.half_life_days FROM event_scores s JOIN leads l ON l.id = s.lead_ref
                 WHERE ${unitOnly('l')} AND l.lead_id = ANY(${wanted}::text[]) AND l.status = 'active' AND s.ruleset_id = ${target}`,
          )
        : Promise.resolve([]),
      this.reader.allowNegative(RequestContext.orgId()),
    ]);
    const byLead = new Map<string, StoredContribution[]>();
    for (const c of contributions) {
      const list = byLead.get(c.lead_ref) ?? [];
      list.push({
        occurred_at: new Date(c.occurred_at),
        base_points: Number(c.base_points),
        multiplier: Number(c.multiplier),
        half_life_days: c.half_life_days,
      });
      byLead.set(c.lead_ref, list);
    }
    const now = this.clock.now();
    const byPublicId = new Map(leads.map((l) => [l.lead_id, l]));
    return wanted.flatMap((id) => {
      const lead = byPublicId.get(id);
      if (!lead) return [];
      const score = target
        ? rulesetScore(byLead.get(lead.id) ?? [], now, { allowNegative, resetAt: lead.score_reset_at ? new Date(lead.score_reset_at) : null })
        : 0;
      return [{ lead_id: id, score: roundScore(score), ruleset_id: target }];
    });
  }
}
