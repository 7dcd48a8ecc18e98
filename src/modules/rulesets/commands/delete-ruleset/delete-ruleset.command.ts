import { Command } from '@nestjs/cqrs';
import { Dimension, ENGAGEMENT } from '../../../scoring';

/** Deletes a ruleset of the active OU and its rules; the scores it gave are not recomputed. */
export class DeleteRulesetCommand extends Command<void> {
  constructor(
    readonly rulesetId: string,
    readonly dimension: Dimension = ENGAGEMENT,
  ) {
    super();
  }
}
