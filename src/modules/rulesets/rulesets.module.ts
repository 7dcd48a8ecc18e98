import { Module } from '@nestjs/common';
import { RulesetCommandHandlers } from './commands/ruleset-command.handlers';
import { RulesController, RulesetsController } from './http/rulesets.controller';
import { RulesetsProjection } from './projections/rulesets.projection';
import { RulesetsQueries } from './rulesets.queries';

/** Engagement rulesets and rules: the event-sourced Ruleset aggregate, its inline read model and HTTP routes. */
@Module({
  controllers: [RulesetsController, RulesController],
  providers: [...RulesetCommandHandlers, RulesetsProjection, RulesetsQueries],
  exports: [RulesetsQueries],
})
export class RulesetsModule {}
