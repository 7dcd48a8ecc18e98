import { Module } from '@nestjs/common';
import { RulesetCommandHandlers } from './commands/ruleset-command-handlers';
import { HalfLifeSuggestionsService } from './half-life/half-life-suggestions.service';
import { HalfLifeSuggestionsController } from './http/half-life-suggestions.controller';
import { RulesController } from './http/rules.controller';
import { RulesetsController } from './http/rulesets.controller';
import { RulesetsProjection } from './projections/rulesets.projection';
import { RulesetLookup } from './queries/ruleset-lookup.service';
import { RulesetsQueries } from './queries/rulesets.queries';

/** Engagement rulesets and rules: the event-sourced Ruleset aggregate, its inline read model, HTTP routes and half-life suggestions. */
@Module({
  controllers: [RulesetsController, RulesController, HalfLifeSuggestionsController],
  providers: [...RulesetCommandHandlers, RulesetsProjection, RulesetsQueries, RulesetLookup, HalfLifeSuggestionsService],
  exports: [RulesetsQueries],
})
export class RulesetsModule {}
