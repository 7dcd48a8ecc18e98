/**
 * How a scored event contributes to one ruleset's score, as recorded on the lead's stream and in event_scores.
 * Defined by the engine; the leads module records it (and re-exports the type from its domain events).
 */
export interface ContributionPayload {
  ruleset_id: string;
  rule_id: string;
  base_points: number;
  multiplier: number;
  half_life_days: number | null;
}

/** How far an event goes through the pipeline: recorded only, scored, or scored and allowed to fire triggers. */
export const PROCESSING_SCOPES = ['observe', 'decide', 'activate'] as const;
export type ProcessingScope = (typeof PROCESSING_SCOPES)[number];

/** An event whose contribution under one ruleset changes (null: it no longer scores). */
export interface LeadEventRescore {
  event_id: string;
  contribution: ContributionPayload | null;
}

/**
 * `rule_id` of the contributions inactivity decay writes (`event_scores` rows of `DECAY` events): a negative,
 * undecaying amount per ruleset that recomputes keep like any other contribution, but that no rule earned —
 * explanations count it as decay, not as a driver.
 */
export const DECAY_RULE_ID = 'decay';

/** The event type (and canonical key) of those events (DEC-3). */
export const DECAY_EVENT_TYPE = 'DECAY';
