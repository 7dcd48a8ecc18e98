import { Command } from '@nestjs/cqrs';
import { RuleFields } from '../domain/ruleset-events';

export interface NewRuleset {
  name: string;
  score_column: string;
  is_primary: boolean;
  active: boolean;
  start_date: string | null;
  end_date: string | null;
}

export class CreateRulesetCommand extends Command<{ rulesetId: string }> {
  constructor(readonly input: NewRuleset) {
    super();
  }
}

export class DeleteRulesetCommand extends Command<void> {
  constructor(readonly rulesetId: string) {
    super();
  }
}

export class AddRuleCommand extends Command<{ ruleId: string; rulesetId: string }> {
  constructor(readonly rulesetId: string | undefined, readonly fields: RuleFields) {
    super();
  }
}

export class UpdateRuleCommand extends Command<{ rulesetId: string }> {
  constructor(readonly ruleId: string, readonly changes: Partial<RuleFields>) {
    super();
  }
}

export class RemoveRuleCommand extends Command<void> {
  constructor(readonly ruleId: string) {
    super();
  }
}

export class ReorderRulesCommand extends Command<void> {
  constructor(readonly rulesetId: string, readonly ruleIds: string[]) {
    super();
  }
}
