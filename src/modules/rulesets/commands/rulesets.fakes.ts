// Test support for the ruleset command handlers' specs: an in-memory aggregate repository, a fixed clock, an
// active-OU request context. Not used by the application.
import { Clock } from '../../../platform/clock';
import { AggregateRepository } from '../../../platform/event-store';
import { RequestContext } from '../../../platform/tenancy';
import { ENGAGEMENT } from '../../scoring';
import { Ruleset } from '../domain/ruleset.aggregate';
import { RuleFields } from '../domain/ruleset-events';
import { RulesetLookup } from '../queries/ruleset-lookup.service';

export const ORG = 'org_a';
export const UNIT = 'unit_a';
export const AT = '2026-01-01T00:00:00.000Z';

/** Runs `fn` as a member of ORG with UNIT active. */
export function inActiveUnit<T>(fn: () => T): T {
  return RequestContext.run({ orgId: ORG, unitId: UNIT, principal: { type: 'member', id: 'mb_1', orgId: ORG, email: 'a@example.com', activeOuKey: 'k' } }, fn);
}

export const fixedClock = { now: () => new Date(AT) } as Clock;

export function rule(eventType: string, extra: Partial<RuleFields> = {}): RuleFields {
  return { event_type: eventType, weight: 10, half_life_days: null, icon: null, active: true, start_at: null, end_at: null, filters: [], ...extra };
}

/** Rulesets kept in memory; `execute` loads, decides and keeps the raised events as committed. */
export class InMemoryRulesets {
  readonly stored = new Map<string, Ruleset>();

  add(id: string, unitId = UNIT, rules: Record<string, RuleFields> = {}): Ruleset {
    const ruleset = new Ruleset(id);
    ruleset.create({
      org_id: ORG,
      unit_id: unitId,
      dimension: ENGAGEMENT,
      name: id,
      score_column: 'total_score',
      is_primary: true,
      active: true,
      start_date: null,
      end_date: null,
      by: 'seed',
      at: AT,
    });
    for (const [ruleId, fields] of Object.entries(rules)) ruleset.addRule(ruleId, fields, 'seed', AT);
    ruleset.markCommitted(ruleset.uncommitted.length);
    this.stored.set(id, ruleset);
    return ruleset;
  }

  get repository(): AggregateRepository {
    const execute = async (_type: unknown, id: string, _metadata: unknown, decide: (r: Ruleset) => unknown) => {
      const ruleset = this.stored.get(id) ?? new Ruleset(id);
      const result = await decide(ruleset);
      ruleset.markCommitted(ruleset.version + ruleset.uncommitted.length);
      return result;
    };
    return { execute } as unknown as AggregateRepository;
  }

  /** A lookup answering from the stored rulesets, as the read model would. */
  get lookup(): RulesetLookup {
    const rulesets = this.stored;
    return {
      async rulesetOfRule(ruleId: string) {
        for (const [id, r] of rulesets) if (r.exists && r.info.unit_id === UNIT && r.rules.some((x) => x.rule_id === ruleId)) return id;
        throw Object.assign(new Error('rule not found'), { code: 'rule_not_found' });
      },
      async primaryRuleset() {
        for (const [id, r] of rulesets) if (r.exists && r.info.unit_id === UNIT && r.info.is_primary) return id;
        return null;
      },
    } as RulesetLookup;
  }
}

/** The code and HTTP status a promise was rejected with (an AppError). */
export async function rejection(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code: string; getStatus(): number };
    return { code: e.code, status: e.getStatus() };
  }
  throw new Error('expected a rejection');
}
