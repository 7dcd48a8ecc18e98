import { AttributeDimension } from '../domain/attribute-rules';

/**
 * Published on the CQRS EventBus (in-process, after commit) when a profile, account or deal ruleset or rule of an OU
 * changed: profile scoring re-evaluates the OU's leads on it, and account scoring can recompute account scores the
 * same way. A process that misses it still sees the change: `scoring_setup_version` moved (ScoringSetupService).
 */
export class AttributeRulesChanged {
  constructor(
    readonly orgId: string,
    readonly unitId: string,
    readonly dimension: AttributeDimension,
    readonly rulesetId: string,
    readonly actor: string | null,
  ) {}
}
