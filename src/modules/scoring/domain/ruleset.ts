import { Condition } from './conditions';

export interface Rule {
  id: string;
  event_type: string;
  /** A whole number, positive or negative (RULE-2). */
  weight: number;
  half_life_days: number | null;
  active: boolean;
  /** Inclusive. */
  start_at?: Date | null;
  /** Exclusive (RULE-3 suggested default). */
  end_at?: Date | null;
  /** 0 is the highest (RULE-5: first in the reorder list). */
  priority: number;
  /** AND-combined attribute filters (RULE-9); empty = every event of the type. */
  filters: readonly Condition[];
}

export interface Ruleset {
  id: string;
  active: boolean;
  /** Calendar dates (`YYYY-MM-DD`, or a Date whose UTC calendar day is meant), both days included (RS-3). */
  start_date?: string | Date | null;
  end_date?: string | Date | null;
  rules: readonly Rule[];
}
