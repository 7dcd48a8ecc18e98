import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { orgScope, unitScope } from '../../../platform/tenancy';
import { dimensionSource } from '../dimensions/dimension-sources';
import { Dimension, ENGAGEMENT } from '../domain/dimension';
import { rulesetScore } from '../domain/score-ruleset';
import { ScoringErrors } from '../scoring.errors';

export interface LeadRow {
  id: string;
  lead_id: string;
  org_id: string;
  unit_id: string;
  score_reset_at: Date | null;
}

export interface RulesetScore {
  ruleset_id: string;
  name: string;
  active: boolean;
  is_primary: boolean;
  score: number;
}

interface RulesetRow {
  id: string;
  name: string;
  active: boolean;
  is_primary: boolean;
}

/**
 * Exact scores of one lead "now", computed through the scoring core from its stored contributions (decay is
 * applied at read time, so a score read is never stale by the hourly refresh of `lead_scores`).
 */
@Injectable()
export class ScoreReader {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** A lead of the active OU by its public id; 404 otherwise (another OU's lead included). */
  async lead(leadId: string, m: EntityManager = this.ds.manager): Promise<LeadRow> {
    const row = await selectOne<LeadRow>(
      m,
      sql`SELECT id, lead_id, org_id, unit_id, score_reset_at FROM leads WHERE ${unitScope()} AND lead_id = ${leadId} AND status = 'active'`,
    );
    // lead_not_found belongs to the leads module's catalog
    if (!row) throw ScoringErrors.notFound('lead_not_found', 'lead');
    return row;
  }

  async allowNegative(orgId: string, m: EntityManager = this.ds.manager): Promise<boolean> {
    const row = await selectOne<{ allow_negative_scores: boolean }>(
      m,
      sql`SELECT allow_negative_scores FROM scoring_settings WHERE ${orgScope(undefined, orgId)}`,
    );
    return row?.allow_negative_scores ?? false;
  }

  /** Score per engagement ruleset of the lead's OU (0 where it earned nothing), as of `now`. */
  scores(lead: LeadRow, now = this.clock.now(), m: EntityManager = this.ds.manager): Promise<RulesetScore[]> {
    return this.scoresIn(ENGAGEMENT, lead, now, m);
  }

  /** Score per ruleset of `dimension` in the lead's OU (0 where it earned nothing; none for an unwired dimension). */
  async scoresIn(dimension: Dimension, lead: LeadRow, now = this.clock.now(), m: EntityManager = this.ds.manager): Promise<RulesetScore[]> {
    const source = dimensionSource(dimension);
    if (!source) return [];
    const rulesets = await selectRows<RulesetRow>(
      m,
      sql`SELECT id, name, active, is_primary FROM rulesets
           WHERE ${unitScope(undefined, { orgId: lead.org_id, unitId: lead.unit_id })} AND dimension = ${dimension}
           ORDER BY is_primary DESC, created_at, id`,
    );
    const contributions = await source.contributions(m, lead.id);
    const allowNegative = await this.allowNegative(lead.org_id, m);
    const resetAt = lead.score_reset_at ? new Date(lead.score_reset_at) : null;
    return rulesets.map((rs) => ({
      ruleset_id: rs.id,
      name: rs.name,
      active: rs.active,
      is_primary: rs.is_primary,
      score: rulesetScore(contributions.get(rs.id) ?? [], now, { allowNegative, resetAt }),
    }));
  }
}
