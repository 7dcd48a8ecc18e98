import { Command } from '@nestjs/cqrs';
import { RuleFields } from '../../domain/ruleset-events';

/** Adds a rule at the lowest priority of a ruleset (the OU's primary one when none is named). */
export class AddRuleCommand extends Command<{ ruleId: string; rulesetId: string }> {
  constructor(
    readonly rulesetId: string | undefined,
    readonly fields: RuleFields,
  ) {
    super();
  }
}
