// The rulesets module's public surface. (Its condition DTO moves to platform/http as a shared DTO.)
export { RulesetErrors } from './rulesets.errors';
export { RulesetsModule } from './rulesets.module';
export { RulesetsQueries } from './queries/rulesets.queries';
export { RulesetEvents, type RulesetCreatedPayload, type RulesetUpdatedPayload } from './domain/ruleset-events';
