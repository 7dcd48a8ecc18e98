import { Command } from '@nestjs/cqrs';
import { RuleFields } from '../../domain/ruleset-events';

/** Changes some fields of a rule; the history it scored is not recomputed (score-now does that). */
export class UpdateRuleCommand extends Command<{ rulesetId: string }> {
  constructor(
    readonly ruleId: string,
    readonly changes: Partial<RuleFields>,
  ) {
    super();
  }
}
