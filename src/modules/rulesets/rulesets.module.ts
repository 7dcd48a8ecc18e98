import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring';
import { RulesetCommandHandlers } from './commands/ruleset-command-handlers';
import { AccountRulesetsController, ProfileRulesetsController } from './http/attribute-scoring.controllers';
import { AttributeScoringService } from './http/attribute-scoring.service';
import { AttributeRulesetsQueries } from './queries/attribute-rulesets.queries';
import { HalfLifeSuggestionsService } from './half-life/half-life-suggestions.service';
import { HalfLifeSuggestionsController } from './http/half-life-suggestions.controller';
import { RulesController } from './http/rules.controller';
import { RulesetsController } from './http/rulesets.controller';
import { RulesetsProjection } from './projections/rulesets.projection';
import { RulesetLookup } from './queries/ruleset-lookup.service';
import { RulesetsQueries } from './queries/rulesets.queries';

/**
 * Rulesets and rules of every dimension: the event-sourced Ruleset aggregate, its inline read model, the HTTP routes
 * of engagement (with half-life suggestions), profile and account rulesets.
 */
@Module({
  imports: [ScoringModule],
  controllers: [RulesetsController, RulesController, HalfLifeSuggestionsController, ProfileRulesetsController, AccountRulesetsController],
  providers: [
    ...RulesetCommandHandlers,
    RulesetsProjection,
    RulesetsQueries,
    RulesetLookup,
    HalfLifeSuggestionsService,
    AttributeRulesetsQueries,
    AttributeScoringService,
  ],
  exports: [RulesetsQueries],
})
export class RulesetsModule {}
