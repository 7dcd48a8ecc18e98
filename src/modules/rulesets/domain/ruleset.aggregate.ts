import { DomainEvent, EventSourcedAggregate } from '../../../platform/event-store';
import { attributeRuleProblems, canonicalEventType, ENGAGEMENT } from '../../scoring/domain';
import {
  AnyRuleFields,
  isAttributeRuleFields,
  RuleAddedPayload,
  RuleFields,
  RulesetCreatedPayload,
  RulesetEvents,
  RulesetUpdatedPayload,
  RuleUpdatedPayload,
} from './ruleset-events';

export type RuleState = AnyRuleFields & {
  rule_id: string;
  priority: number;
};

export interface RulesetState {
  created?: RulesetCreatedPayload;
  deleted: boolean;
  rules: RuleState[];
}

/** Why a command was refused; the HTTP layer maps each code to a status. */
export class RulesetRuleViolation extends Error {
  constructor(
    readonly code: 'ruleset_not_found' | 'rule_not_found' | 'duplicate_rule' | 'invalid_reorder' | 'invalid_rule',
    message: string,
    readonly details: { field: string; reason: string }[] = [],
  ) {
    super(message);
  }
}

const sameFilters = (a: RuleFields['filters'], b: RuleFields['filters']) =>
  JSON.stringify([...a].map((c) => [c.key, c.operator, String(c.value ?? '')]).sort()) ===
  JSON.stringify([...b].map((c) => [c.key, c.operator, String(c.value ?? '')]).sort());

/**
 * A ruleset of any dimension and its rules. Engagement rules score events (ordered by priority, 0 = highest; two rules
 * of one ruleset may share an event type only with different attribute filters, RULE-7: same type and same filters
 * → 409); the rules of the attribute dimensions (profile, account, deal) test the subject's attributes, and only
 * hard-DQ rules may carry a compound `conditions` group.
 */
export class Ruleset extends EventSourcedAggregate<RulesetState> {
  static readonly streamType = 'ruleset';
  private state: RulesetState = { deleted: false, rules: [] };

  get exists(): boolean {
    return !!this.state.created && !this.state.deleted;
  }

  get info(): RulesetCreatedPayload {
    this.assertExists();
    return this.state.created!;
  }

  /** Every change but creation needs a ruleset that exists (and was not deleted). */
  private assertExists(): void {
    if (!this.exists) throw new RulesetRuleViolation('ruleset_not_found', 'ruleset not found');
  }

  get rules(): readonly RuleState[] {
    return this.state.rules;
  }

  create(payload: RulesetCreatedPayload): void {
    if (this.state.created) throw new Error(`ruleset ${this.id} already exists`);
    this.raise(RulesetEvents.Created, payload);
  }

  update(changes: RulesetUpdatedPayload['changes'], at: string): void {
    this.assertExists();
    if (Object.keys(changes).length) this.raise(RulesetEvents.Updated, { changes, at });
  }

  remove(at: string): void {
    this.assertExists();
    this.raise(RulesetEvents.Deleted, { at });
  }

  /** Rules of an engagement ruleset name an event type; the others test attributes. */
  private assertKind(fields: AnyRuleFields): void {
    if ((this.info.dimension === ENGAGEMENT) === isAttributeRuleFields(fields)) {
      throw new RulesetRuleViolation('ruleset_not_found', `not a ${isAttributeRuleFields(fields) ? 'attribute' : 'engagement'} ruleset`);
    }
    if (isAttributeRuleFields(fields)) {
      const problems = attributeRuleProblems(fields);
      if (problems.length) throw new RulesetRuleViolation('invalid_rule', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    } else {
      this.assertNoTwin((fields as RuleFields & { rule_id?: string }).rule_id ?? '', fields);
    }
  }

  addRule(ruleId: string, fields: AnyRuleFields, by: string, at: string): void {
    this.assertExists();
    this.assertKind({ ...fields, rule_id: ruleId } as unknown as AnyRuleFields);
    const priority = this.state.rules.length ? Math.max(...this.state.rules.map((r) => r.priority)) + 1 : 0;
    this.raise(RulesetEvents.RuleAdded, { rule_id: ruleId, priority, ...fields, by, at } satisfies RuleAddedPayload);
  }

  updateRule(ruleId: string, changes: Partial<AnyRuleFields>, by: string, at: string): RuleState {
    const rule = this.rule(ruleId);
    const next = { ...rule, ...changes } as RuleState;
    this.assertKind(next);
    if (Object.keys(changes).length) this.raise(RulesetEvents.RuleUpdated, { rule_id: ruleId, changes, by, at } satisfies RuleUpdatedPayload);
    return this.rule(ruleId);
  }

  removeRule(ruleId: string, at: string): void {
    this.rule(ruleId);
    this.raise(RulesetEvents.RuleRemoved, { rule_id: ruleId, at });
  }

  /** RULE-5: the new order must list every rule of the ruleset exactly once. */
  reorder(ruleIds: string[], at: string): void {
    this.assertExists();
    const current = new Set(this.state.rules.map((r) => r.rule_id));
    const given = new Set(ruleIds);
    if (given.size !== ruleIds.length) throw new RulesetRuleViolation('invalid_reorder', 'rule_ids lists a rule twice');
    const missing = [...current].filter((id) => !given.has(id));
    const foreign = ruleIds.filter((id) => !current.has(id));
    if (missing.length || foreign.length) {
      throw new RulesetRuleViolation(
        'invalid_reorder',
        [missing.length ? `missing rules: ${missing.join(', ')}` : '', foreign.length ? `not rules of this ruleset: ${foreign.join(', ')}` : '']
          .filter(Boolean)
          .join('; '),
      );
    }
    this.raise(RulesetEvents.RulesReordered, { rule_ids: ruleIds, at });
  }

  rule(ruleId: string): RuleState {
    const rule = this.exists ? this.state.rules.find((r) => r.rule_id === ruleId) : undefined;
    if (!rule) throw new RulesetRuleViolation('rule_not_found', 'rule not found');
    return rule;
  }

  private assertNoTwin(ruleId: string, fields: RuleFields): void {
    const key = canonicalEventType(fields.event_type);
    const twin = this.state.rules.find(
      (r) => r.rule_id !== ruleId && !isAttributeRuleFields(r) && canonicalEventType(r.event_type) === key && sameFilters(r.filters, fields.filters),
    );
    if (twin)
      throw new RulesetRuleViolation('duplicate_rule', `rule ${twin.rule_id} already scores ${fields.event_type} with the same filters in this ruleset`);
  }

  protected when(e: DomainEvent): void {
    switch (e.type) {
      case RulesetEvents.Created:
        this.state.created = e.payload;
        break;
      case RulesetEvents.Updated:
        this.state.created = { ...this.state.created!, ...e.payload.changes };
        break;
      case RulesetEvents.Deleted:
        this.state.deleted = true;
        break;
      case RulesetEvents.RuleAdded: {
        const { by: _by, at: _at, ...rule } = e.payload as RuleAddedPayload;
        this.state.rules.push(rule as RuleState);
        break;
      }
      case RulesetEvents.RuleUpdated: {
        const p = e.payload as RuleUpdatedPayload;
        this.state.rules = this.state.rules.map((r) => (r.rule_id === p.rule_id ? ({ ...r, ...p.changes } as RuleState) : r));
        break;
      }
      case RulesetEvents.RuleRemoved:
        this.state.rules = this.state.rules.filter((r) => r.rule_id !== e.payload.rule_id);
        break;
      case RulesetEvents.RulesReordered: {
        const order: string[] = e.payload.rule_ids;
        this.state.rules = this.state.rules.map((r) => ({ ...r, priority: order.indexOf(r.rule_id) }));
        break;
      }
    }
  }

  snapshot(): RulesetState {
    return this.state;
  }

  restore(state: RulesetState): void {
    this.state = state;
  }
}
