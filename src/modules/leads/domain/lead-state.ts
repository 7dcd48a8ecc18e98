import { DomainEvent } from '../../../platform/event-store';
import { SuppressionReason, SurgeSession } from '../../scoring/domain';
import { aliasKey } from './alias-normalisation';
import {
  LeadAliasAttachedPayload,
  LeadCreatedPayload,
  LeadEvent,
  LeadEventRecordedPayload,
  LeadEventRegroupedPayload,
  LeadEventsAdoptedPayload,
  LeadEventsDeletedPayload,
  LeadMergedIntoPayload,
  LeadMetadataChangedPayload,
} from './lead-events';

/**
 * How many recent events per event type a lead remembers for velocity and fan-out decisions. A window holding
 * more counting events than this already exceeds any threshold up to this size, so decisions stay exact for
 * thresholds below it; the cap keeps snapshots small for leads with long histories.
 */
export const RECENT_PER_TYPE = 200;

export interface RecentEvent {
  id: string;
  /** epoch ms */
  at: number;
  s: SuppressionReason | null;
  /** earned points in at least one ruleset (a regroup withdraws them) */
  p: boolean;
  /** counted in the lead's surge session (absent in snapshots taken before sessions existed: not counted) */
  c?: boolean;
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
  /** The current surge session (SUR-S3); absent before the first counted event (or in snapshots taken before it existed). */
  surge?: SurgeSession;
}

/**
 * Keeps `list` ordered by time then id and at most RECENT_PER_TYPE long. Events mostly arrive in time order, so
 * the insertion point is found from the end (an append, usually) instead of sorting on every event.
 */
function remember(
  list: RecentEvent[],
  e: { event_id: string; occurred_at: string; suppression: SuppressionReason | null; contributions: unknown[] },
  counted = false,
): void {
  const entry: RecentEvent = {
    id: e.event_id,
    at: Date.parse(e.occurred_at),
    s: e.suppression,
    p: e.contributions.length > 0,
    ...(counted ? { c: true } : {}),
  };
  let i = list.length;
  while (i > 0 && (list[i - 1].at > entry.at || (list[i - 1].at === entry.at && list[i - 1].id > entry.id))) i--;
  list.splice(i, 0, entry);
  if (list.length > RECENT_PER_TYPE) list.splice(0, list.length - RECENT_PER_TYPE);
}

function sameSession(a: SurgeSession, b: SurgeSession | undefined): boolean {
  return b !== undefined && a.started_at === b.started_at && a.last_at === b.last_at && a.events === b.events;
}

/**
 * A suppressed or deleted event is no part of a surge session: the later events of its session count one fewer
 * (multipliers already given stay frozen).
 */
function uncount(s: LeadState, r: RecentEvent): void {
  if (r.c && s.surge && r.at >= s.surge.started_at && r.at <= s.surge.last_at && s.surge.events > 0) {
    s.surge = { ...s.surge, events: s.surge.events - 1 };
  }
  r.c = false;
}

/** The Lead's state after `event` (folded in place: the aggregate owns `s`). */
export function evolveLead(s: LeadState, event: DomainEvent): void {
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
      if (p.profile_set) s.metadata = { ...(s.metadata ?? {}), ...p.profile_set };
      // counted unless it was a late event scored on its own, which leaves the session as it was
      remember((s.recent[p.event_type_key] ??= []), p, p.surge !== undefined && !sameSession(p.surge.session, s.surge));
      if (p.surge) s.surge = p.surge.session;
      break;
    }
    case LeadEvent.EventRegrouped: {
      const p = event.payload as LeadEventRegroupedPayload;
      for (const list of Object.values(s.recent)) {
        const hit = list.find((r) => r.id === p.event_id);
        if (hit) {
          hit.s = p.suppression;
          hit.p = false;
          uncount(s, hit);
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
      delete s.surge;
      break;
    }
    case LeadEvent.EventsDeleted: {
      const gone = new Set((event.payload as LeadEventsDeletedPayload).event_ids);
      for (const [key, list] of Object.entries(s.recent)) {
        for (const r of list) if (gone.has(r.id)) uncount(s, r);
        s.recent[key] = list.filter((r) => !gone.has(r.id));
      }
      break;
    }
    default:
      break;
  }
}
