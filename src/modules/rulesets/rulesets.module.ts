import { Module } from '@nestjs/common';
import { RulesetCommandHandlers } from './commands/ruleset-command-handlers';
import { RulesController } from './http/rules.controller';
import { RulesetsController } from './http/rulesets.controller';
import { RulesetsProjection } from './projections/rulesets.projection';
import { RulesetLookup } from './queries/ruleset-lookup.service';
import { RulesetsQueries } from './queries/rulesets.queries';

/** Engagement rulesets and rules: the event-sourced Ruleset aggregate, its inline read model and HTTP routes. */
@Module({
  controllers: [RulesetsController, RulesController],
  providers: [...RulesetCommandHandlers, RulesetsProjection, RulesetsQueries, RulesetLookup],
  exports: [RulesetsQueries],
})
export class RulesetsModule {}
