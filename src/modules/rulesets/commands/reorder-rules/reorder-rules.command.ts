import { Command } from '@nestjs/cqrs';

/** Sets the priority order of all rules of a ruleset at once: every rule id exactly once. */
export class ReorderRulesCommand extends Command<void> {
  constructor(
    readonly rulesetId: string,
    readonly ruleIds: string[],
  ) {
    super();
  }
}
