import { allConditionsHold } from './conditions';
import { canonicalEventType } from './event-type';
import { Rule, Ruleset } from './ruleset';
import { ScoringContext, ScoringEvent } from './scoring-event';
import { ruleCovers, rulesetCovers } from './scoring-windows';

/** Priority order (0 first); equal priorities fall back to id so every caller evaluates the same order. */
export function rulesByPriority(rules: readonly Rule[]): Rule[] {
  return [...rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The rule's own part of RULE-3: active, same canonical type, inside its period, all attribute filters hold. */
export function ruleAccepts(rule: Rule, event: ScoringEvent): boolean {
  return (
    rule.active &&
    canonicalEventType(rule.event_type) === canonicalEventType(event.event_type) &&
    ruleCovers(rule, event.occurred_at) &&
    allConditionsHold(rule.filters, event.metadata)
  );
}

/**
 * RULE-3 + RS-3, and RULE-6's suggested default: rules are tried in priority order and only the first that
 * accepts the event awards points, so a filtered rule placed above an unfiltered catch-all wins and reordering
 * changes the outcome. Only rules of the event's own type can accept it, so different types never compete.
 * An accepting zero-weight rule still wins: it is how an operator says "this variant earns nothing".
 * Inactive rules are skipped, not blocking, so deactivating a rule hands its events to the next one.
 */
export function matchRule(ruleset: Ruleset, event: ScoringEvent, ctx: ScoringContext): Rule | null {
  if (event.suppression !== null) return null;
  if (ctx.hiddenEventTypes.has(canonicalEventType(event.event_type))) return null;
  if (!rulesetCovers(ruleset, event.occurred_at)) return null;
  return rulesByPriority(ruleset.rules).find((rule) => ruleAccepts(rule, event)) ?? null;
}
