import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { ENGAGEMENT, ScoringErrors } from '../../scoring';
import { RuleDto, RulesetDto } from '../http/rulesets.dto';
import { RuleRow, RulesetRow, toRulesetView, toRuleView } from './ruleset-views';

const RULE_COUNT = sql`(SELECT count(*)::int FROM rules x WHERE x.ruleset_id = r.id) AS rule_count`;

/** Reads of the rulesets and rules read models, always within the active OU. */
@Injectable()
export class RulesetsQueries {
  constructor(private readonly ds: DataSource) {}

  async rulesets(): Promise<RulesetDto[]> {
    const rows = await selectRows<RulesetRow>(
      this.ds,
      sql`SELECT r.*, ${RULE_COUNT} FROM rulesets r WHERE ${unitScope('r')} AND r.dimension = ${ENGAGEMENT}
          ORDER BY r.is_primary DESC, r.created_at, r.id`,
    );
    return rows.map(toRulesetView);
  }

  async ruleset(id: string): Promise<RulesetDto> {
    const row = await selectOne<RulesetRow>(
      this.ds,
      sql`SELECT r.*, ${RULE_COUNT} FROM rulesets r WHERE r.id = ${id} AND ${unitScope('r')} AND r.dimension = ${ENGAGEMENT}`,
    );
    if (!row) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
    return toRulesetView(row);
  }

  /** Rules of the active OU (of one ruleset when given), in priority order. */
  async rules(rulesetId?: string): Promise<RuleDto[]> {
    if (rulesetId) await this.ruleset(rulesetId);
    const ofRuleset = rulesetId ? sql`AND ruleset_id = ${rulesetId}` : sql``;
    const rows = await selectRows<RuleRow>(
      this.ds,
      sql`SELECT * FROM rules WHERE ${unitScope()} AND dimension = ${ENGAGEMENT} ${ofRuleset} ORDER BY ruleset_id, priority, id`,
    );
    return rows.map(toRuleView);
  }

  async rule(id: string): Promise<RuleDto> {
    const row = await selectOne<RuleRow>(this.ds, sql`SELECT * FROM rules WHERE id = ${id} AND ${unitScope()} AND dimension = ${ENGAGEMENT}`);
    if (!row) throw ScoringErrors.notFound('rule_not_found', 'rule');
    return toRuleView(row);
  }
}
