import { Command } from '@nestjs/cqrs';
import { Dimension, ENGAGEMENT } from '../../../scoring';
import { AnyRuleFields } from '../../domain/ruleset-events';

/** Changes some fields of a rule; the history it scored is not recomputed (score-now does that). */
export class UpdateRuleCommand extends Command<{ rulesetId: string }> {
  constructor(
    readonly ruleId: string,
    readonly changes: Partial<AnyRuleFields>,
    readonly dimension: Dimension = ENGAGEMENT,
  ) {
    super();
  }
}
