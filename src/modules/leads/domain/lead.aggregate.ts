import { EventSourcedAggregate, DomainEvent } from '../../../platform/event-store';
import {
  canonicalEventType,
  fanOutRepresentative,
  Metadata,
  Ruleset,
  scoreEvent,
  SuppressionReason,
  PriorEvent,
  VelocityFilter,
  applyVelocityFilters,
  SurgePolicy,
  SurgeStep,
  surgeStep,
} from '../../scoring/domain';
import {
  Alias,
  ContributionPayload,
  LeadAliasAttachedPayload,
  LeadCreatedPayload,
  LeadEvent,
  LeadEventRecordedPayload,
  LeadEventRegroupedPayload,
  LeadEventsAdoptedPayload,
  LeadEventsDeletedPayload,
  LeadMergedIntoPayload,
  LeadMetadataChangedPayload,
  LeadOwnerAssignedPayload,
  LeadRescoredPayload,
  LeadScoresResetPayload,
  LeadStreamType,
  ProcessingScope,
} from './lead-events';
import { aliasKey } from './alias-normalisation';
import { evolveLead, LeadState } from './lead-state';

export { RECENT_PER_TYPE } from './lead-state';
export type { LeadState } from './lead-state';

export interface IncomingEvent {
  event_id: string;
  client_event_id: string | null;
  event_type: string;
  event_type_key: string;
  occurred_at: Date;
  received_at: Date;
  metadata: Metadata & Record<string, unknown>;
  channel: string;
  source: string;
  skip_triggers: boolean;
}

export interface ScoringSetup {
  rulesets: readonly Ruleset[];
  velocityFilters: readonly VelocityFilter[];
  hiddenEventTypes: ReadonlySet<string>;
  scopes: ReadonlyMap<string, ProcessingScope>;
  /** The OU's surge session policy, presets resolved (SUR-S1). */
  surgePolicy: SurgePolicy;
}

/**
 * A lead: its identity (public id, aliases) and the ordered history of what it did. Recording an event runs the
 * per-lead half of the pipeline (fan-out, velocity filters, scoring through the pure scoring core) and stores
 * the decision with the event, so read models and explanations never re-derive it.
 */
export class Lead extends EventSourcedAggregate<LeadState> {
  static readonly streamType = LeadStreamType;
  private state: LeadState = { lead_id: '', created: false, aliases: [], recent: {} };

  get leadId(): string {
    return this.state.lead_id;
  }

  get exists(): boolean {
    return this.state.created;
  }

  hasAlias(alias: Alias): boolean {
    return this.state.aliases.includes(aliasKey(alias));
  }

  create(payload: LeadCreatedPayload, at: Date): void {
    if (this.state.created) throw new Error(`lead ${this.id} already exists`);
    this.raise(LeadEvent.Created, payload, at);
  }

  attachAlias(alias: Alias, at: Date): void {
    if (!this.hasAlias(alias)) this.raise<LeadAliasAttachedPayload>(LeadEvent.AliasAttached, { ...alias }, at);
  }

  /**
   * ING-7 for one event of this lead: fan-out → velocity → scoring (metadata filters ran before resolution).
   * `profileSet`: the lead properties the OU's profile mappings set from this event (PRF-2..4), merged into the
   * lead's metadata with it.
   */
  record(event: IncomingEvent, setup: ScoringSetup, profileSet?: Record<string, unknown>): LeadEventRecordedPayload {
    const prior = this.priorOf(event.event_type_key);
    const timed = { id: event.event_id, occurred_at: event.occurred_at };
    let suppression: SuppressionReason | null = null;
    let regroup: string[] = [];
    // ING-7: fan-out normalisation is part of the velocity stage, so it applies to types an inorganic filter watches
    const watched = setup.velocityFilters.some((f) => canonicalEventType(f.event_type) === event.event_type_key);
    if (watched && fanOutRepresentative(timed, prior) !== null) suppression = 'fan_out';
    else {
      const decision = applyVelocityFilters(setup.velocityFilters, { ...timed, event_type: event.event_type }, prior);
      if (decision.outcome !== 'kept') suppression = decision.outcome;
      regroup = decision.regroup;
    }
    const scope = setup.scopes.get(event.event_type_key) ?? 'activate';
    const surge = this.surgeOf(event, suppression, scope, setup);
    const contributions: ContributionPayload[] =
      scope === 'observe'
        ? []
        : scoreEvent(
            setup.rulesets,
            { event_type: event.event_type, occurred_at: event.occurred_at, metadata: event.metadata, suppression },
            { hiddenEventTypes: setup.hiddenEventTypes, surgeMultiplier: surge?.multiplier ?? 1 },
          ).flatMap((c) => (c.rule_id === null ? [] : [{ ...c, rule_id: c.rule_id }]));
    const payload: LeadEventRecordedPayload = {
      event_id: event.event_id,
      client_event_id: event.client_event_id,
      lead_id: this.state.lead_id,
      event_type: event.event_type,
      event_type_key: event.event_type_key,
      occurred_at: event.occurred_at.toISOString(),
      received_at: event.received_at.toISOString(),
      metadata: event.metadata,
      channel: event.channel,
      suppression,
      filter_id: null,
      contributions,
      source: event.source,
      skip_triggers: event.skip_triggers,
      scope,
      ...(surge ? { surge } : {}),
      ...(profileSet && Object.keys(profileSet).length ? { profile_set: profileSet } : {}),
      // the first event of a lead this unit of work creates (only the ingest pipeline records on a lead it creates)
      ...(this.version === 0 && !this.uncommitted.some((e) => e.type === LeadEvent.EventRecorded) ? { created_lead: true as const } : {}),
    };
    for (const id of regroup) {
      this.raise<LeadEventRegroupedPayload>(LeadEvent.EventRegrouped, { event_id: id, suppression: 'inorganic_grouped' }, event.received_at);
    }
    // stored under the ingest event id: a redelivered job or a resend finds it and records nothing twice
    this.raise(LeadEvent.EventRecorded, payload, event.occurred_at, event.event_id);
    return payload;
  }

  /** LEAD-5/6/10: a no-op change (nothing differs) raises nothing. */
  changeMetadata(payload: LeadMetadataChangedPayload, at: Date): void {
    const cur = this.state.metadata ?? {};
    const next = payload.replace ? { ...payload.set } : { ...cur, ...payload.set };
    for (const k of payload.removed) delete next[k];
    const accountChanges = payload.account_id !== undefined && payload.account_id !== (this.state.account_id ?? null);
    if (JSON.stringify(next) === JSON.stringify(cur) && !accountChanges) return;
    this.raise(LeadEvent.MetadataChanged, payload, at);
  }

  get metadata(): Record<string, unknown> {
    return this.state.metadata ?? {};
  }

  assignOwner(payload: LeadOwnerAssignedPayload, at: Date): void {
    this.raise(LeadEvent.OwnerAssigned, payload, at);
  }

  resetScores(payload: LeadScoresResetPayload, at: Date): void {
    this.raise(LeadEvent.ScoresReset, { ...payload, lead_id: payload.lead_id ?? this.state.lead_id }, at);
  }

  /** The stream ref of the lead this one was merged into, if it was (MRG-2). */
  get mergedInto(): string | null {
    return this.state.merged_into ?? null;
  }

  /** The merge (its deterministic id) that merged this lead away, if any. */
  get mergedBy(): string | null {
    return this.state.merged_by_merge ?? null;
  }

  /**
   * MRG-2/5/6 on the target: attaches the sources' aliases it does not have yet (its own copy wins), then adopts
   * the moved events. The adoption carries the merge id as its event id, so a retried merge cannot adopt twice.
   */
  adopt(payload: LeadEventsAdoptedPayload, aliases: readonly Alias[], at: Date): void {
    if (!this.state.created) throw new Error(`lead ${this.id} does not exist`);
    if (this.state.merged_into) throw new Error(`lead ${this.id} was merged away`);
    for (const alias of aliases) this.attachAlias(alias, at);
    this.raise(LeadEvent.EventsAdopted, payload, at, payload.merge_id);
  }

  /** MRG-2 on a source; `eventId` is derived from the merge id (idempotent retries). */
  mergeInto(payload: LeadMergedIntoPayload, eventId: string, at: Date): void {
    if (this.state.merged_into) throw new Error(`lead ${this.id} was already merged`);
    this.raise(LeadEvent.MergedInto, payload, at, eventId);
  }

  deleteEvents(eventIds: string[], reason: string, at: Date): void {
    if (eventIds.length) this.raise<LeadEventsDeletedPayload>(LeadEvent.EventsDeleted, { event_ids: eventIds, reason }, at);
  }

  rescore(payload: LeadRescoredPayload, at: Date): void {
    if (payload.changes.length) this.raise(LeadEvent.Rescored, payload, at);
  }

  /**
   * SUR-S3: the event's place in the lead's surge session. Only events the engine may score count: suppressed,
   * observe-only, hidden and system (decay) events neither extend nor reset a session and get no multiplier.
   */
  private surgeOf(event: IncomingEvent, suppression: SuppressionReason | null, scope: ProcessingScope, setup: ScoringSetup): SurgeStep | null {
    if (suppression !== null || scope === 'observe' || event.source === 'system' || setup.hiddenEventTypes.has(event.event_type_key)) return null;
    return surgeStep(this.state.surge ?? null, event.occurred_at, setup.surgePolicy);
  }

  private priorOf(typeKey: string): PriorEvent[] {
    return (this.state.recent[typeKey] ?? []).map((r) => ({ id: r.id, occurred_at: new Date(r.at), suppression: r.s }));
  }

  protected when(event: DomainEvent): void {
    evolveLead(this.state, event);
  }

  snapshot(): LeadState {
    return this.state;
  }

  restore(state: LeadState): void {
    this.state = state;
  }
}
