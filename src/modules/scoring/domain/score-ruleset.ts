import { decayFactor } from './half-life';
import { matchRule } from './rule-matching';
import { Ruleset } from './ruleset';
import { ScoringContext, ScoringEvent } from './scoring-event';

/**
 * What one event earns in one ruleset, stored undecayed (SC-4): the half-life factor depends on "now" and is
 * applied on read, while the surge multiplier is frozen at event time (SC-1).
 */
export interface RulesetContribution {
  ruleset_id: string;
  rule_id: string | null;
  base_points: number;
  multiplier: number;
  half_life_days: number | null;
}

/** One entry per ruleset (RS-1: each keeps its own score), with `rule_id: null` where nothing matched. */
export function scoreEvent(rulesets: readonly Ruleset[], event: ScoringEvent, ctx: ScoringContext): RulesetContribution[] {
  const multiplier = ctx.surgeMultiplier ?? 1;
  return rulesets.map((ruleset) => {
    const rule = matchRule(ruleset, event, ctx);
    return {
      ruleset_id: ruleset.id,
      rule_id: rule?.id ?? null,
      base_points: rule?.weight ?? 0,
      multiplier,
      half_life_days: rule?.half_life_days ?? null,
    };
  });
}

export interface StoredContribution {
  occurred_at: Date;
  base_points: number;
  multiplier: number;
  half_life_days: number | null;
}

export interface RulesetScoreOptions {
  allowNegative: boolean;
  /** LEAD-20: contributions of events strictly before the reset are excluded from every later computation. */
  resetAt?: Date | null;
}

export function contributionPoints(contribution: StoredContribution, now: Date): number {
  const decay = decayFactor(contribution.occurred_at, now, contribution.half_life_days);
  return contribution.base_points * contribution.multiplier * decay;
}

export function excludedByReset(contribution: StoredContribution, resetAt: Date | null | undefined): boolean {
  return resetAt !== null && resetAt !== undefined && contribution.occurred_at.getTime() < resetAt.getTime();
}

/**
 * SC-2: the floor applies to the ruleset total, not to each contribution, so a negative rule does offset
 * earlier positive points. The total is recomputed from stored contributions (order-independent and
 * rebuildable) rather than kept as a running balance floored after every change; the consequence is that
 * negative points earned while the score sat at 0 are not forgiven, later positives first pay them off.
 * Unrounded: see `roundScore` for display.
 */
export function rulesetScore(contributions: readonly StoredContribution[], now: Date, options: RulesetScoreOptions): number {
  let total = 0;
  for (const contribution of contributions) {
    if (!excludedByReset(contribution, options.resetAt)) total += contributionPoints(contribution, now);
  }
  return options.allowNegative ? total : Math.max(0, total);
}
