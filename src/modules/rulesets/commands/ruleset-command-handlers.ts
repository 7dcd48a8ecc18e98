import { AddRuleHandler } from './add-rule/add-rule.handler';
import { CreateRulesetHandler } from './create-ruleset/create-ruleset.handler';
import { DeleteRulesetHandler } from './delete-ruleset/delete-ruleset.handler';
import { RemoveRuleHandler } from './remove-rule/remove-rule.handler';
import { ReorderRulesHandler } from './reorder-rules/reorder-rules.handler';
import { UpdateRuleHandler } from './update-rule/update-rule.handler';
import { UpdateRulesetHandler } from './update-ruleset/update-ruleset.handler';

/** Every command handler of the rulesets module, for the module's providers. */
export const RulesetCommandHandlers = [
  CreateRulesetHandler,
  UpdateRulesetHandler,
  DeleteRulesetHandler,
  AddRuleHandler,
  UpdateRuleHandler,
  RemoveRuleHandler,
  ReorderRulesHandler,
];
