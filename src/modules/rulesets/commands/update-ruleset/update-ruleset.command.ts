import { Command } from '@nestjs/cqrs';
import { Dimension } from '../../../scoring';
import { RulesetUpdatedPayload } from '../../domain/ruleset-events';

/** Changes a ruleset of `dimension` in the active OU; `is_primary: true` takes the flag from the current primary. */
export class UpdateRulesetCommand extends Command<void> {
  constructor(
    readonly rulesetId: string,
    readonly changes: RulesetUpdatedPayload['changes'],
    readonly dimension: Dimension,
  ) {
    super();
  }
}
