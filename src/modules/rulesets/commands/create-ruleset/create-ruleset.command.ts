import { Command } from '@nestjs/cqrs';
import { Dimension, ENGAGEMENT } from '../../../scoring';

export interface NewRuleset {
  name: string;
  score_column: string;
  is_primary: boolean;
  active: boolean;
  start_date: string | null;
  end_date: string | null;
  /** PRF-5; attribute dimensions only. */
  score_floor_pct?: number | null;
}

/**
 * Creates a ruleset of `dimension` in the active OU. Engagement: the first one (or one created with is_primary) becomes
 * the primary. Attribute dimensions: only `is_primary: true` makes it primary (PRF-5 default false).
 */
export class CreateRulesetCommand extends Command<{ rulesetId: string }> {
  constructor(
    readonly input: NewRuleset,
    readonly dimension: Dimension = ENGAGEMENT,
  ) {
    super();
  }
}
