import { defineErrors } from '../../platform/http';

/**
 * Errors of the scoring engine. A ruleset and its rules are the engine's configuration (scoring/domain/ruleset),
 * so their not-found codes live here and the rulesets module, which edits them, reuses these.
 */
export const ScoringErrors = defineErrors('scoring', {
  ruleset_not_found: 404,
  rule_not_found: 404,
});
