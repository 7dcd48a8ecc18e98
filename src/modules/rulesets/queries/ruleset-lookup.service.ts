import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { Dimension, ENGAGEMENT, ScoringErrors } from '../../scoring';

/** The small reads commands need before they load a Ruleset aggregate, always within the active OU. */
@Injectable()
export class RulesetLookup {
  constructor(private readonly ds: DataSource) {}

  /** The ruleset a rule belongs to (404 rule_not_found otherwise, another OU's rule included). */
  async rulesetOfRule(ruleId: string, dimension: Dimension = ENGAGEMENT): Promise<string> {
    const row = await selectOne<{ ruleset_id: string }>(
      this.ds,
      sql`SELECT ruleset_id FROM rules WHERE id = ${ruleId} AND ${unitScope()} AND dimension = ${dimension}`,
    );
    if (!row) throw ScoringErrors.notFound('rule_not_found', 'rule');
    return row.ruleset_id;
  }

  /** The OU's primary ruleset of a dimension (engagement by default), if it has one. */
  async primaryRuleset(dimension: Dimension = ENGAGEMENT): Promise<string | null> {
    const row = await selectOne<{ id: string }>(this.ds, sql`SELECT id FROM rulesets WHERE ${unitScope()} AND dimension = ${dimension} AND is_primary`);
    return row?.id ?? null;
  }
}
