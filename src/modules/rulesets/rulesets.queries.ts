import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../../platform/http/app-error';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { Condition, renderFilterLabel } from '../scoring';
import { RuleDto, RulesetDto } from './http/rulesets.dto';

import { isoOrNull as iso } from '../../platform/http/iso-date';
const day = (d: Date | string | null) => (d ? (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10)) : null);

/** Reads of the rulesets and rules read models, always within the active OU. */
@Injectable()
export class RulesetsQueries {
  constructor(private readonly ds: DataSource) {}

  async rulesets(): Promise<RulesetDto[]> {
    const { org_id, unit_id } = tenantKey();
    const rows = await this.ds.query(
      `SELECT r.*, (SELECT count(*)::int FROM rules x WHERE x.ruleset_id = r.id) AS rule_count
         FROM rulesets r WHERE r.org_id = $1 AND r.unit_id = $2 AND r.dimension = 'engagement'
        ORDER BY r.is_primary DESC, r.created_at, r.id`,
      [org_id, unit_id],
    );
    return rows.map(toRuleset);
  }

  async ruleset(id: string): Promise<RulesetDto> {
    const { org_id, unit_id } = tenantKey();
    const [row] = await this.ds.query(
      `SELECT r.*, (SELECT count(*)::int FROM rules x WHERE x.ruleset_id = r.id) AS rule_count FROM rulesets r WHERE r.id = $1 AND r.org_id = $2 AND r.unit_id = $3`,
      [id, org_id, unit_id],
    );
    if (!row) throw AppError.notFound('ruleset', 'ruleset_not_found');
    return toRuleset(row);
  }

  /** Rules of the active OU (of one ruleset when given), in priority order. */
  async rules(rulesetId?: string): Promise<RuleDto[]> {
    const { org_id, unit_id } = tenantKey();
    if (rulesetId) await this.ruleset(rulesetId);
    const rows = await this.ds.query(
      `SELECT * FROM rules WHERE org_id = $1 AND unit_id = $2 AND ($3::text IS NULL OR ruleset_id = $3) ORDER BY ruleset_id, priority, id`,
      [org_id, unit_id, rulesetId ?? null],
    );
    return rows.map(toRule);
  }

  async rule(id: string): Promise<RuleDto> {
    const { org_id, unit_id } = tenantKey();
    const [row] = await this.ds.query(`SELECT * FROM rules WHERE id = $1 AND org_id = $2 AND unit_id = $3`, [id, org_id, unit_id]);
    if (!row) throw AppError.notFound('rule', 'rule_not_found');
    return toRule(row);
  }
}

function toRuleset(r: Record<string, any>): RulesetDto {
  return {
    ruleset_id: r.id,
    name: r.name,
    score_column: r.score_column,
    score_field: r.score_column,
    dimension: r.dimension,
    is_primary: r.is_primary,
    active: r.active,
    start_date: day(r.start_date),
    end_date: day(r.end_date),
    rule_count: r.rule_count,
    created_by: r.created_by,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

function toRule(r: Record<string, any>): RuleDto {
  const filters = (r.filters ?? []) as Condition[];
  return {
    rule_id: r.id,
    ruleset_id: r.ruleset_id,
    event_type: r.event_type,
    weight: r.weight,
    half_life_days: r.half_life_days,
    icon: r.icon,
    active: r.active,
    start_at: iso(r.start_at),
    end_at: iso(r.end_at),
    priority: r.priority,
    filters,
    filter_label: renderFilterLabel(filters) ?? null,
    created_by: r.created_by,
    updated_by: r.updated_by,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}
