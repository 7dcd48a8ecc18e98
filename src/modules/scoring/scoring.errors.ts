import { defineErrors } from '../../platform/http';

/**
 * Errors of the scoring engine. A ruleset and its rules are the engine's configuration (scoring/domain/ruleset),
 * so their not-found codes live here and the rulesets module, which edits them, reuses these.
 */
export const ScoringErrors = defineErrors('scoring', {
  ruleset_not_found: 404,
  rule_not_found: 404,
  // also declared by leads and lead-import (same status): the engine reads leads and score-now jobs itself
  lead_not_found: 404,
  job_not_found: 404,
  deal_not_found: 404,
  // ABM-1: account endpoints answer 403 unless scoring_settings.abm_enabled
  abm_disabled: 403,
});
