import { isoOrNull } from '../../../platform/http';
import { Condition, Dimension, renderFilterLabel } from '../../scoring';
import { RuleDto, RulesetDto } from '../http/rulesets.dto';

/** A `rulesets` row with its rule count, as the reads select it. */
export interface RulesetRow {
  id: string;
  name: string;
  score_column: string;
  dimension: Dimension;
  is_primary: boolean;
  active: boolean;
  start_date: Date | string | null;
  end_date: Date | string | null;
  rule_count: number;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** A `rules` row. */
export interface RuleRow {
  id: string;
  ruleset_id: string;
  event_type: string;
  weight: number;
  half_life_days: number | null;
  icon: string | null;
  active: boolean;
  start_at: Date | string | null;
  end_at: Date | string | null;
  priority: number;
  filters: Condition[] | null;
  created_by: string;
  updated_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** YYYY-MM-DD of a `date` column (pg hands back text or a Date at midnight UTC). */
function isoDay(d: Date | string | null): string | null {
  if (!d) return null;
  return typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10);
}

export function toRulesetView(row: RulesetRow): RulesetDto {
  return {
    ruleset_id: row.id,
    name: row.name,
    score_column: row.score_column,
    score_field: row.score_column,
    dimension: row.dimension,
    is_primary: row.is_primary,
    active: row.active,
    start_date: isoDay(row.start_date),
    end_date: isoDay(row.end_date),
    rule_count: row.rule_count,
    created_by: row.created_by,
    created_at: isoOrNull(row.created_at)!,
    updated_at: isoOrNull(row.updated_at)!,
  };
}

export function toRuleView(row: RuleRow): RuleDto {
  const filters = row.filters ?? [];
  return {
    rule_id: row.id,
    ruleset_id: row.ruleset_id,
    event_type: row.event_type,
    weight: row.weight,
    half_life_days: row.half_life_days,
    icon: row.icon,
    active: row.active,
    start_at: isoOrNull(row.start_at),
    end_at: isoOrNull(row.end_at),
    priority: row.priority,
    filters,
    filter_label: renderFilterLabel(filters) ?? null,
    created_by: row.created_by,
    updated_by: row.updated_by,
    created_at: isoOrNull(row.created_at)!,
    updated_at: isoOrNull(row.updated_at)!,
  };
}
