import { EventSourcedAggregate, DomainEvent } from '../../../platform/event-store/event-sourced-aggregate';
import { canonicalEventType, fanOutRepresentative, Metadata, Ruleset, scoreEvent, SuppressionReason, PriorEvent, VelocityFilter, applyVelocityFilters } from '../../scoring/domain';
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

/**
 * How many recent events per event type a lead remembers for velocity and fan-out decisions. A window holding
 * more counting events than this already exceeds any threshold up to this size, so decisions stay exact for
 * thresholds below it; the cap keeps snapshots small for leads with long histories.
 */
export const RECENT_PER_TYPE = 200;

interface RecentEvent {
  id: string;
  /** epoch ms */
  at: number;
  s: SuppressionReason | null;
  /** earned points in at least one ruleset (a regroup withdraws them) */
  p: boolean;
}

export interface LeadState {
  lead_id: string;
  created: boolean;
  aliases: string[];
  recent: Record<string, RecentEvent[]>;
  metadata?: Record<string, unknown>;
  account_id?: string | null;
  /** MRG-2: set once the lead was merged into another (its stream ref). */
  merged_into?: string | null;
  merged_by_merge?: string | null;
}

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
}

const aliasKey = (a: Alias) => `${a.kind}:${a.value}`;

/**
 * Keeps `list` ordered by time then id and at most RECENT_PER_TYPE long. Events mostly arrive in time order, so
 * the insertion point is found from the end (an append, usually) instead of sorting on every event.
 */
function remember(list: RecentEvent[], e: { event_id: string; occurred_at: string; suppression: SuppressionReason | null; contributions: unknown[] }): void {
  const entry: RecentEvent = { id: e.event_id, at: Date.parse(e.occurred_at), s: e.suppression, p: e.contributions.length > 0 };
  let i = list.length;
  while (i > 0 && (list[i - 1].at > entry.at || (list[i - 1].at === entry.at && list[i - 1].id > entry.id))) i--;
  list.splice(i, 0, entry);
  if (list.length > RECENT_PER_TYPE) list.splice(0, list.length - RECENT_PER_TYPE);
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

  /** ING-7 for one event of this lead: fan-out → velocity → scoring (metadata filters ran before resolution). */
  record(event: IncomingEvent, setup: ScoringSetup): LeadEventRecordedPayload {
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
    const contributions: ContributionPayload[] =
      scope === 'observe'
        ? []
        : scoreEvent(
            setup.rulesets,
            { event_type: event.event_type, occurred_at: event.occurred_at, metadata: event.metadata, suppression },
            { hiddenEventTypes: setup.hiddenEventTypes },
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

  private priorOf(typeKey: string): PriorEvent[] {
    return (this.state.recent[typeKey] ?? []).map((r) => ({ id: r.id, occurred_at: new Date(r.at), suppression: r.s }));
  }

  protected when(event: DomainEvent): void {
    const s = this.state;
    switch (event.type) {
      case LeadEvent.Created: {
        const p = event.payload as LeadCreatedPayload;
        s.created = true;
        s.lead_id = p.lead_id;
        s.metadata = { ...(p.metadata ?? {}) };
        s.account_id = p.account_id ?? null;
        break;
      }
      case LeadEvent.MetadataChanged: {
        const p = event.payload as LeadMetadataChangedPayload;
        const next = p.replace ? { ...p.set } : { ...(s.metadata ?? {}), ...p.set };
        for (const k of p.removed) delete next[k];
        s.metadata = next;
        if (p.account_id !== undefined) s.account_id = p.account_id;
        break;
      }
      case LeadEvent.AliasAttached:
        s.aliases.push(aliasKey(event.payload as LeadAliasAttachedPayload));
        break;
      case LeadEvent.EventRecorded: {
        const p = event.payload as LeadEventRecordedPayload;
        remember((s.recent[p.event_type_key] ??= []), p);
        break;
      }
      case LeadEvent.EventRegrouped: {
        const p = event.payload as LeadEventRegroupedPayload;
        for (const list of Object.values(s.recent)) {
          const hit = list.find((r) => r.id === p.event_id);
          if (hit) {
            hit.s = p.suppression;
            hit.p = false;
          }
        }
        break;
      }
      case LeadEvent.EventsAdopted: {
        const p = event.payload as LeadEventsAdoptedPayload;
        for (const e of p.events) remember((s.recent[e.event_type_key] ??= []), e);
        break;
      }
      case LeadEvent.MergedInto: {
        const p = event.payload as LeadMergedIntoPayload;
        s.merged_into = p.target_ref;
        s.merged_by_merge = p.merge_id;
        s.recent = {};
        break;
      }
      case LeadEvent.EventsDeleted: {
        const gone = new Set((event.payload as LeadEventsDeletedPayload).event_ids);
        for (const [key, list] of Object.entries(s.recent)) s.recent[key] = list.filter((r) => !gone.has(r.id));
        break;
      }
      default:
        break;
    }
  }

  snapshot(): LeadState {
    return this.state;
  }

  restore(state: LeadState): void {
    this.state = state;
  }
}
