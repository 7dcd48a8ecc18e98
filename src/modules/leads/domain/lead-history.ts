import { Metadata, Ruleset, scoreEvent, StoredContribution } from '../../scoring/domain';
import {
  AdoptedEventPayload,
  ContributionPayload,
  LeadEvent,
  LeadEventRecordedPayload,
  LeadEventRegroupedPayload,
  LeadEventsAdoptedPayload,
  LeadEventsDeletedPayload,
  LeadRescoredPayload,
  ProcessingScope,
  RecordedEventPayload,
} from './lead-events';

/** A live event of a lead as its stream says now: what was recorded, later regroups, rescorings and deletions applied. */
export interface HistoryEvent extends RecordedEventPayload {
  lead_id: string;
  original_lead_id: string | null;
  /** LEAD-20 carried over from a merged source: earns nothing, ever. */
  reset_excluded: boolean;
}

/**
 * Folds a lead's stream (in version order) into its live events. The event store, not a read model, is the
 * source: a merge must move every event the lead has, including ones the async projections have not applied yet.
 */
export function leadHistory(stream: readonly { type: string; payload: unknown }[]): Map<string, HistoryEvent> {
  const live = new Map<string, HistoryEvent>();
  for (const e of stream) {
    switch (e.type) {
      case LeadEvent.EventRecorded: {
        // the mapped profile properties stay with the lead they were set on (a merge decides the target's own)
        const { profile_set: _set, ...p } = e.payload as LeadEventRecordedPayload;
        live.set(p.event_id, { ...p, contributions: [...p.contributions], original_lead_id: null, reset_excluded: false });
        break;
      }
      case LeadEvent.EventsAdopted: {
        for (const p of (e.payload as LeadEventsAdoptedPayload).events) {
          const { from_lead_ref: _from, ...rest } = p;
          live.set(p.event_id, { ...rest, contributions: [...p.contributions] });
        }
        break;
      }
      case LeadEvent.EventRegrouped: {
        const p = e.payload as LeadEventRegroupedPayload;
        const hit = live.get(p.event_id);
        if (hit) {
          hit.suppression = p.suppression;
          hit.contributions = [];
        }
        break;
      }
      case LeadEvent.Rescored: {
        const p = e.payload as LeadRescoredPayload;
        for (const c of p.changes) {
          const hit = live.get(c.event_id);
          if (!hit) continue;
          hit.contributions = hit.contributions.filter((x) => x.ruleset_id !== p.ruleset_id);
          if (c.contribution) hit.contributions.push({ ...c.contribution, ruleset_id: p.ruleset_id });
        }
        break;
      }
      case LeadEvent.EventsDeleted:
        for (const id of (e.payload as LeadEventsDeletedPayload).event_ids) live.delete(id);
        break;
      case LeadEvent.MergedInto:
        live.clear();
        break;
      default:
        break;
    }
  }
  return live;
}

export type TruncatePolicy = { policy: 'none' | 'max_events'; max_events?: number };

/** Newest first (by occurrence, then id), the order truncation keeps events in. */
const newestFirst = (a: { occurred_at: string; event_id: string }, b: { occurred_at: string; event_id: string }) =>
  Date.parse(b.occurred_at) - Date.parse(a.occurred_at) || (a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0);

/**
 * MRG-4: which of the sources' events move and which are dropped. `max_events` caps the number of events moved
 * from the sources together (the target's own events are never dropped), keeping the newest.
 */
export function planTruncation<E extends { occurred_at: string; event_id: string }>(
  events: readonly E[],
  truncate: TruncatePolicy,
): { moved: E[]; dropped: E[] } {
  const sorted = [...events].sort(newestFirst);
  if (truncate.policy !== 'max_events') return { moved: sorted, dropped: [] };
  const keep = Math.max(0, truncate.max_events ?? 0);
  return { moved: sorted.slice(0, keep), dropped: sorted.slice(keep) };
}

export interface RescoreSetup {
  rulesets: readonly Ruleset[];
  hiddenEventTypes: ReadonlySet<string>;
  scopes: ReadonlyMap<string, ProcessingScope>;
}

/**
 * MRG-2: what a moved event earns on the target under the current rules, through the same scoring core as the
 * live pipeline. The surge multiplier stays frozen at event time (SC-1); observe-only types, suppressed events
 * and events excluded by a reset earn nothing.
 */
export function rescoreMoved(event: HistoryEvent, setup: RescoreSetup): ContributionPayload[] {
  if (event.reset_excluded) return [];
  if ((setup.scopes.get(event.event_type_key) ?? 'activate') === 'observe') return [];
  // events recorded before session multipliers carry theirs on the contributions only
  const multiplier = event.surge?.multiplier ?? event.contributions[0]?.multiplier ?? 1;
  return scoreEvent(
    setup.rulesets,
    { event_type: event.event_type, occurred_at: new Date(event.occurred_at), metadata: event.metadata as Metadata, suppression: event.suppression },
    { hiddenEventTypes: setup.hiddenEventTypes, surgeMultiplier: multiplier },
  ).flatMap((c) => (c.rule_id === null ? [] : [{ ...c, rule_id: c.rule_id }]));
}

/** The moved event as the target records it (MRG-6: `original_lead_id` is the lead it was first recorded on). */
export function adoptedEvent(
  event: HistoryEvent,
  fromRef: string,
  fromLeadId: string,
  fromResetAt: Date | null,
  targetLeadId: string,
  setup: RescoreSetup,
): AdoptedEventPayload {
  const resetExcluded = event.reset_excluded || (fromResetAt !== null && Date.parse(event.occurred_at) < fromResetAt.getTime());
  const base: HistoryEvent = { ...event, reset_excluded: resetExcluded };
  return {
    ...base,
    lead_id: targetLeadId,
    original_lead_id: event.original_lead_id ?? fromLeadId,
    from_lead_ref: fromRef,
    reset_excluded: resetExcluded,
    contributions: rescoreMoved(base, setup),
  };
}

/** Per-ruleset stored contributions of a set of events (the input of `rulesetScore`). */
export function contributionsByRuleset(
  events: Iterable<{ occurred_at: string; contributions: readonly ContributionPayload[] }>,
): Map<string, StoredContribution[]> {
  const out = new Map<string, StoredContribution[]>();
  for (const e of events) {
    for (const c of e.contributions) {
      const list = out.get(c.ruleset_id) ?? [];
      list.push({ occurred_at: new Date(e.occurred_at), base_points: c.base_points, multiplier: c.multiplier, half_life_days: c.half_life_days });
      out.set(c.ruleset_id, list);
    }
  }
  return out;
}
