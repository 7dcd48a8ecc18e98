import { Command } from '@nestjs/cqrs';

/** Removes a rule: future events stop earning its points, past contributions stay. */
export class RemoveRuleCommand extends Command<void> {
  constructor(readonly ruleId: string) {
    super();
  }
}
