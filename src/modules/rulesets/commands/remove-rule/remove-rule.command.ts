import { Command } from '@nestjs/cqrs';
import { Dimension, ENGAGEMENT } from '../../../scoring';

/** Removes a rule: future events stop earning its points, past contributions stay. */
export class RemoveRuleCommand extends Command<void> {
  constructor(
    readonly ruleId: string,
    readonly dimension: Dimension = ENGAGEMENT,
  ) {
    super();
  }
}
