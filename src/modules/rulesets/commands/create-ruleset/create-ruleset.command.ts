import { Command } from '@nestjs/cqrs';

export interface NewRuleset {
  name: string;
  score_column: string;
  is_primary: boolean;
  active: boolean;
  start_date: string | null;
  end_date: string | null;
}

/** Creates an engagement ruleset in the active OU; the first one (or one created with is_primary) becomes the primary. */
export class CreateRulesetCommand extends Command<{ rulesetId: string }> {
  constructor(readonly input: NewRuleset) {
    super();
  }
}
