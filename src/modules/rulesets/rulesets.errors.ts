import { defineErrors } from '../../platform/http';

/** Errors of editing rulesets and rules (their not-found codes are the scoring engine's, see ScoringErrors). */
export const RulesetErrors = defineErrors('rulesets', {
  duplicate_rule: 409,
  invalid_reorder: 400,
  ruleset_required: 400,
  duplicate_ruleset_name: 409,
});
