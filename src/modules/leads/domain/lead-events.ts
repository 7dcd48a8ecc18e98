import type { ContributionPayload, ProcessingScope, SuppressionReason, SurgeStep } from '../../scoring/domain';

/**
 * Domain events of the Lead aggregate (stream type `lead`, stream id = `leads.id`) and of metadata-filtered
 * events that never reach a lead (stream type `suppressed_event`). Every projection of ingested events reads
 * these payloads; they are the contract between the worker pipeline and the read models.
 */
export const LeadStreamType = 'lead';
export const SuppressedEventStreamType = 'suppressed_event';

export const LeadEvent = {
  Created: 'LeadCreated',
  AliasAttached: 'LeadAliasAttached',
  EventRecorded: 'LeadEventRecorded',
  EventRegrouped: 'LeadEventRegrouped',
  EventsDeleted: 'LeadEventsDeleted',
  Rescored: 'LeadRescored',
  MetadataChanged: 'LeadMetadataChanged',
  OwnerAssigned: 'LeadOwnerAssigned',
  ScoresReset: 'LeadScoresReset',
  /** MRG-*: the target of a merge takes over the sources' events (rescored) — also its `lead_merged` timeline entry. */
  EventsAdopted: 'LeadEventsAdopted',
  /** MRG-2: a source of a merge; its aliases moved, its events were adopted by the target, it reads as merged. */
  MergedInto: 'LeadMergedInto',
  /** Stored on its own `suppressed_event` stream: a metadata filter matched before lead resolution (MF-4). */
  SuppressedEventRecorded: 'SuppressedEventRecorded',
} as const;

export const ALIAS_KINDS = ['email', 'phone', 'external_id', 'cookie', 'social'] as const;
export type AliasKind = (typeof ALIAS_KINDS)[number];

export interface Alias {
  kind: AliasKind;
  value: string;
}

/** ET-7: `observe` stores and counts only; `decide` also scores; `activate` also fires triggers. */
export { PROCESSING_SCOPES, type ProcessingScope, type ContributionPayload } from '../../scoring/domain';

export interface LeadCreatedPayload {
  lead_id: string;
  metadata: Record<string, unknown>;
  account_id: string | null;
  /** `ingest`, `import` or `api`. */
  source: string;
}

export interface LeadAliasAttachedPayload extends Alias {}

/** What one event earned in one ruleset, undecayed (the half-life factor is applied on read). */
export interface RecordedEventPayload {
  event_id: string;
  client_event_id: string | null;
  event_type: string;
  event_type_key: string;
  occurred_at: string;
  received_at: string;
  metadata: Record<string, unknown>;
  channel: string;
  suppression: SuppressionReason | null;
  /** The metadata filter that suppressed the event, when one did. */
  filter_id: string | null;
  /** Matched rules only; empty when suppressed, observed-only or nothing matched. */
  contributions: ContributionPayload[];
  source: string;
  skip_triggers: boolean;
  scope: ProcessingScope;
  /**
   * The event's place in the lead's surge session and the multiplier it got (SUR-S3, frozen: SC-1). Absent when the
   * event did not count (suppressed, observe-only, hidden, system) and on events recorded before session multipliers.
   */
  surge?: SurgeStep;
}

export interface LeadEventRecordedPayload extends RecordedEventPayload {
  lead_id: string;
  /**
   * PRF-2..4: the lead properties the OU's profile mappings set from this event (merged into the lead's metadata
   * right after it, silently). Absent when they set nothing; events recorded before this field existed left their
   * mapped changes in a LeadMetadataChanged (cause `profile_mapping`) after the batch's events.
   */
  profile_set?: Record<string, unknown>;
  /**
   * Set on the event whose ingestion created the lead (the pipeline creates a lead with its first event, with empty
   * metadata): its profile is evaluated with that event's projection (PRF-8), not with the creation. Absent on every
   * other event and on events recorded before this field existed.
   */
  created_lead?: true;
}

/**
 * The fields of a recorded event that say what happened and whether it may fire anything (`Projection.payloadFields`
 * of the projections that react to events: surge and trigger detection): each adds what else it reads.
 */
export const RECORDED_EVENT_ACTIVATION_FIELDS = [
  'event_id',
  'event_type',
  'event_type_key',
  'occurred_at',
  'channel',
  'lead_id',
  'suppression',
  'skip_triggers',
  'scope',
] as const;

export interface SuppressedEventRecordedPayload extends RecordedEventPayload {
  /** The existing lead the identifiers resolved to, if any; suppressed events never create leads. */
  lead_ref: string | null;
  lead_id: string | null;
}

/** A kept event became a later member of a grouped burst (VF-3): its points are withdrawn. */
export interface LeadEventRegroupedPayload {
  event_id: string;
  suppression: 'inorganic_grouped';
}

export interface LeadEventsDeletedPayload {
  event_ids: string[];
  reason: string;
}

/** score-now: the ruleset's contribution of each listed event is replaced (null = the event earns nothing now). */
export interface LeadRescoredPayload {
  ruleset_id: string;
  job_id: string;
  changes: { event_id: string; contribution: ContributionPayload | null }[];
}

/**
 * LEAD-5/6/10: `replace` swaps the whole metadata for `set`; otherwise `set` is merged (shallow) and `removed`
 * keys are dropped. `account_id` is changed only when present (null unlinks). `silent` changes write no timeline
 * entry (PATCH by alias).
 */
export interface LeadMetadataChangedPayload {
  set: Record<string, unknown>;
  removed: string[];
  replace: boolean;
  account_id?: string | null;
  silent: boolean;
  /**
   * What made the change when it was not a direct edit: `profile_mapping_backfill` (ADM-3), or `profile_mapping` (the
   * OU's profile mappings applied to an ingest batch, PRF-2..4: history only, such changes now travel on the recorded
   * events as `profile_set`). Absent for API, import and by-alias changes.
   */
  cause?: 'profile_mapping' | 'profile_mapping_backfill';
}

/** LEAD-19: both null unassigns. */
export interface LeadOwnerAssignedPayload {
  owner_id: string | null;
  owner_name: string | null;
}

/** LEAD-20: contributions of events before `reset_at` never count again; `previous_scores` per ruleset (rounded). */
export interface LeadScoresResetPayload {
  reset_at: string;
  previous_scores: Record<string, number>;
  /** The public id (for real-time messages); absent on resets recorded before it was added. */
  lead_id?: string;
}

/** One event moving to the merge target, as it was recorded, rescored for the target (MRG-2/6). */
export interface AdoptedEventPayload extends LeadEventRecordedPayload {
  /** The lead the event was first recorded on (kept through chains of merges). */
  original_lead_id: string;
  /** The source stream it comes from. */
  from_lead_ref: string;
  /**
   * LEAD-20 carried across a merge: the event predates its source's score reset, so it earns nothing on the
   * target either, now or on any later rescoring.
   */
  reset_excluded: boolean;
}

/**
 * MRG-1..6 on the target's stream. The event id is derived from the request (same target, sources and
 * truncation policy → same id), so a retried merge finds it and answers the recorded outcome.
 */
export interface LeadEventsAdoptedPayload {
  merge_id: string;
  source_refs: string[];
  source_lead_ids: string[];
  events: AdoptedEventPayload[];
  truncated_events: number;
  truncate: { policy: 'none' | 'max_events'; max_events?: number };
  /** The sources' aliases the target attached just before this event (MRG-5). */
  aliases: Alias[];
  merged_by: string | null;
  /** Rounded engagement score per ruleset before and after the merge (MRG-2: the target is rescored). */
  previous_scores: Record<string, number>;
  scores: Record<string, number>;
}

/** MRG-2 on each source's stream: it reads as merged into `target_lead_id` from now on. */
export interface LeadMergedIntoPayload {
  merge_id: string;
  target_ref: string;
  target_lead_id: string;
  moved_events: number;
}
