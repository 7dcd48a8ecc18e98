import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoOrNull } from '../../../platform/http';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { AttributeDimension, ConditionGroup, ScoringErrors } from '../../scoring';
import { AttributeRuleViewDto, AttributeRulesetDto } from '../http/attribute-rulesets.dto';

interface AttributeRulesetRow {
  id: string;
  org_id: string;
  dimension: string;
  name: string;
  active: boolean;
  is_primary: boolean;
  score_floor_pct: number | null;
  rule_count: number;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

interface AttributeRuleRow {
  id: string;
  ruleset_id: string;
  property: string;
  condition: string;
  comparison_value: string;
  weight: number;
  rule_type: 'add_points' | 'hard_disqualify';
  conditions: ConditionGroup | null;
  ui_order: number | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The field a dimension names its rules' property with (PRF-6, ABM-3, DEAL-1). */
export const PROPERTY_FIELD: Record<AttributeDimension, 'profile_property' | 'account_property' | 'deal_property'> = {
  profile: 'profile_property',
  account: 'account_property',
  deal: 'deal_property',
};

const RULE_COUNT = sql`(SELECT count(*)::int FROM rules x WHERE x.ruleset_id = r.id) AS rule_count`;

function toRulesetView(row: AttributeRulesetRow): AttributeRulesetDto {
  return {
    id: row.id,
    ruleset_id: row.id,
    org_id: row.org_id,
    dimension: row.dimension,
    name: row.name,
    enabled: row.active,
    is_primary: row.is_primary,
    score_floor_pct: row.score_floor_pct,
    rule_count: row.rule_count,
    created_by: row.created_by,
    created_at: isoOrNull(row.created_at)!,
    updated_at: isoOrNull(row.updated_at)!,
  };
}

function toRuleView(dimension: AttributeDimension, row: AttributeRuleRow): AttributeRuleViewDto {
  return {
    id: row.id,
    rule_id: row.id,
    ruleset_id: row.ruleset_id,
    [PROPERTY_FIELD[dimension]]: row.property,
    condition: row.condition,
    comparison_value: row.comparison_value,
    weight: row.weight,
    half_life_days: null,
    rule_type: row.rule_type,
    conditions: row.conditions,
    ui_order: row.ui_order,
    created_by: row.created_by,
    updated_by: row.updated_by,
    created_at: isoOrNull(row.created_at)!,
    updated_at: isoOrNull(row.updated_at)!,
  } as unknown as AttributeRuleViewDto;
}

/** Reads of profile, account and deal rulesets and rules (the same read model as engagement's), within the active OU. */
@Injectable()
export class AttributeRulesetsQueries {
  constructor(private readonly ds: DataSource) {}

  /** Primary first, then by creation. */
  async rulesets(dimension: AttributeDimension): Promise<AttributeRulesetDto[]> {
    const rows = await selectRows<AttributeRulesetRow>(
      this.ds,
      sql`SELECT r.*, ${RULE_COUNT} FROM rulesets r WHERE ${unitScope('r')} AND r.dimension = ${dimension} ORDER BY r.is_primary DESC, r.created_at, r.id`,
    );
    return rows.map(toRulesetView);
  }

  /** 404 for another OU's or another dimension's ruleset. */
  async ruleset(dimension: AttributeDimension, id: string): Promise<AttributeRulesetDto> {
    const row = await selectOne<AttributeRulesetRow>(
      this.ds,
      sql`SELECT r.*, ${RULE_COUNT} FROM rulesets r WHERE r.id = ${id} AND ${unitScope('r')} AND r.dimension = ${dimension}`,
    );
    if (!row) throw ScoringErrors.notFound('ruleset_not_found', `${dimension} ruleset`);
    return toRulesetView(row);
  }

  /** Another ruleset of the dimension with this name (case-insensitive), if any. */
  async sameName(dimension: AttributeDimension, name: string, except?: string): Promise<boolean> {
    const row = await selectOne(
      this.ds,
      sql`SELECT 1 FROM rulesets WHERE ${unitScope()} AND dimension = ${dimension} AND lower(name) = lower(${name}) AND id <> ${except ?? ''}`,
    );
    return !!row;
  }

  /** Rules of a ruleset by ui_order (unset last), then creation. */
  async rules(dimension: AttributeDimension, rulesetId: string): Promise<AttributeRuleViewDto[]> {
    await this.ruleset(dimension, rulesetId);
    const rows = await selectRows<AttributeRuleRow>(
      this.ds,
      sql`SELECT * FROM rules WHERE ${unitScope()} AND ruleset_id = ${rulesetId} AND dimension = ${dimension} ORDER BY ui_order NULLS LAST, created_at, id`,
    );
    return rows.map((r) => toRuleView(dimension, r));
  }

  /** A rule of that ruleset (404 otherwise, also for the ruleset). */
  async rule(dimension: AttributeDimension, rulesetId: string, ruleId: string): Promise<AttributeRuleViewDto> {
    await this.ruleset(dimension, rulesetId);
    const row = await selectOne<AttributeRuleRow>(
      this.ds,
      sql`SELECT * FROM rules WHERE id = ${ruleId} AND ruleset_id = ${rulesetId} AND ${unitScope()} AND dimension = ${dimension}`,
    );
    if (!row) throw ScoringErrors.notFound('rule_not_found', `${dimension} rule`);
    return toRuleView(dimension, row);
  }
}
