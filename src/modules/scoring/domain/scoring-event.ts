import { Metadata } from './metadata-path';
import { SuppressionReason } from './suppression';

export interface ScoringEvent {
  event_type: string;
  occurred_at: Date;
  metadata: Metadata | null | undefined;
  suppression: SuppressionReason | null;
}

export interface ScoringContext {
  /** Canonical keys (see `canonicalEventType`) of the types hidden in the event's OU (ET-4). */
  hiddenEventTypes: ReadonlySet<string>;
  /** The lead's surge session multiplier for this event (SUR-S3), frozen at event time (SC-1); default 1. */
  surgeMultiplier?: number;
}
