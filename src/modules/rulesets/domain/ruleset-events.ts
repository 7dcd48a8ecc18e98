import { AttributeOperator, Condition, ConditionGroup, Dimension, RuleType } from '../../scoring/domain';

/** Domain events of the Ruleset aggregate (stream type `ruleset`). Payloads are stored as they are. */
export const RulesetEvents = {
  Created: 'RulesetCreated',
  Updated: 'RulesetUpdated',
  Deleted: 'RulesetDeleted',
  RuleAdded: 'RuleAdded',
  RuleUpdated: 'RuleUpdated',
  RuleRemoved: 'RuleRemoved',
  RulesReordered: 'RulesReordered',
} as const;

export interface RulesetCreatedPayload {
  org_id: string;
  unit_id: string;
  dimension: Dimension;
  name: string;
  score_column: string;
  is_primary: boolean;
  active: boolean;
  start_date: string | null;
  end_date: string | null;
  /** PRF-5 (attribute dimensions); absent on rulesets created before it existed. */
  score_floor_pct?: number | null;
  by: string;
  at: string;
}

export interface RulesetUpdatedPayload {
  changes: Partial<Pick<RulesetCreatedPayload, 'name' | 'score_column' | 'is_primary' | 'active' | 'start_date' | 'end_date' | 'score_floor_pct'>>;
  at: string;
}

export interface RuleFields {
  event_type: string;
  weight: number;
  half_life_days: number | null;
  icon: string | null;
  active: boolean;
  start_at: string | null;
  end_at: string | null;
  filters: Condition[];
}

/**
 * A rule of an attribute dimension (profile, account, deal; PRF-6): `property condition comparison_value` on the
 * subject's current attributes, `weight` points or a hard disqualification; `conditions` (hard-DQ only) adds a
 * compound AND/OR group.
 */
export interface AttributeRuleFields {
  property: string;
  condition: AttributeOperator;
  comparison_value: string;
  weight: number;
  ui_order: number | null;
  rule_type: RuleType;
  conditions: ConditionGroup | null;
}

/** Engagement rules have an event type; attribute rules a property. */
export type AnyRuleFields = RuleFields | AttributeRuleFields;

export function isAttributeRuleFields(fields: Partial<AnyRuleFields>): fields is AttributeRuleFields {
  return (
    'property' in fields || 'condition' in fields || 'rule_type' in fields || 'comparison_value' in fields || 'ui_order' in fields || 'conditions' in fields
  );
}

export type RuleAddedPayload = AnyRuleFields & {
  rule_id: string;
  priority: number;
  by: string;
  at: string;
};

export interface RuleUpdatedPayload {
  rule_id: string;
  changes: Partial<RuleFields> | Partial<AttributeRuleFields>;
  by: string;
  at: string;
}

export interface RuleRemovedPayload {
  rule_id: string;
  at: string;
}

export interface RulesReorderedPayload {
  rule_ids: string[];
  at: string;
}
