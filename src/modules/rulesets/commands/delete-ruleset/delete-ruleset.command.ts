import { Command } from '@nestjs/cqrs';

/** Deletes a ruleset of the active OU and its rules; the scores it gave are not recomputed. */
export class DeleteRulesetCommand extends Command<void> {
  constructor(readonly rulesetId: string) {
    super();
  }
}
