// The rulesets module's public surface. (Its condition DTO moves to platform/http as a shared DTO.)
export { RulesetErrors } from './rulesets.errors';
export { RulesetsModule } from './rulesets.module';
export { RulesetsQueries } from './queries/rulesets.queries';
export { RulesetEvents, type RulesetCreatedPayload, type RulesetUpdatedPayload } from './domain/ruleset-events';
// commands (dispatch with @nestjs/cqrs CommandBus)
export { CreateRulesetCommand } from './commands/create-ruleset/create-ruleset.command';
export { DeleteRulesetCommand } from './commands/delete-ruleset/delete-ruleset.command';
export { AddRuleCommand } from './commands/add-rule/add-rule.command';
export { RemoveRuleCommand } from './commands/remove-rule/remove-rule.command';
export { UpdateRuleCommand } from './commands/update-rule/update-rule.command';
