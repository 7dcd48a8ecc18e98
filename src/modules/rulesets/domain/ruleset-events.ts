import { Condition, Dimension } from '../../scoring/domain';

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
  by: string;
  at: string;
}

export interface RulesetUpdatedPayload {
  changes: Partial<Pick<RulesetCreatedPayload, 'name' | 'score_column' | 'is_primary' | 'active' | 'start_date' | 'end_date'>>;
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

export interface RuleAddedPayload extends RuleFields {
  rule_id: string;
  priority: number;
  by: string;
  at: string;
}

export interface RuleUpdatedPayload {
  rule_id: string;
  changes: Partial<RuleFields>;
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
