import { Command } from '@nestjs/cqrs';
import { Dimension, ENGAGEMENT } from '../../../scoring';
import { AnyRuleFields } from '../../domain/ruleset-events';

/** Adds a rule at the lowest priority of a ruleset of `dimension` (the OU's primary one when none is named). */
export class AddRuleCommand extends Command<{ ruleId: string; rulesetId: string }> {
  constructor(
    readonly rulesetId: string | undefined,
    readonly fields: AnyRuleFields,
    readonly dimension: Dimension = ENGAGEMENT,
  ) {
    super();
  }
}
