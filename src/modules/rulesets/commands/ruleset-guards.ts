import { PlatformErrors } from '../../../platform/http';
import { RequestContext } from '../../../platform/tenancy';
import { Dimension, ENGAGEMENT, ScoringErrors } from '../../scoring';
import { Ruleset, RulesetRuleViolation } from '../domain/ruleset.aggregate';
import { RulesetErrors } from '../rulesets.errors';

/** A ruleset outside the active OU, or of another dimension than the route's, does not exist for the caller: 404, as for a missing one. */
export function assertInActiveUnit(ruleset: Ruleset, dimension: Dimension = ENGAGEMENT): void {
  if (
    !ruleset.exists ||
    ruleset.info.unit_id !== RequestContext.unitId() ||
    ruleset.info.org_id !== RequestContext.orgId() ||
    (ruleset.info.dimension ?? ENGAGEMENT) !== dimension
  ) {
    throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
  }
}

/** The aggregate's refusals as the API's errors; anything else passes through. */
export function rethrowRuleViolation(err: unknown): never {
  if (err instanceof RulesetRuleViolation) {
    if (err.code === 'duplicate_rule') throw RulesetErrors.error('duplicate_rule', err.message);
    if (err.code === 'invalid_reorder') throw RulesetErrors.error('invalid_reorder', err.message);
    if (err.code === 'invalid_rule') throw PlatformErrors.error('validation_failed', err.message, err.details);
    if (err.code === 'rule_not_found') throw ScoringErrors.notFound('rule_not_found', 'rule');
    throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
  }
  throw err;
}
