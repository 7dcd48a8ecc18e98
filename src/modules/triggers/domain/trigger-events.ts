/** Domain events of the Trigger aggregate (stream type `trigger`). Payloads are stored as they are. */
export const TriggerEvents = {
  Created: 'TriggerCreated',
  Updated: 'TriggerUpdated',
  Paused: 'TriggerPaused',
  Activated: 'TriggerActivated',
  Deleted: 'TriggerDeleted',
} as const;

export const TRIGGER_KINDS = ['milestone', 'sequence', 'pattern'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const FIRE_MODES = ['once', 'always'] as const;
export type FireMode = (typeof FIRE_MODES)[number];

export const SEQUENCE_WINDOW_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type SequenceWindowUnit = (typeof SEQUENCE_WINDOW_UNITS)[number];

export const SLACK_TARGET_KINDS = ['channel', 'user'] as const;
export type SlackTargetKind = (typeof SLACK_TARGET_KINDS)[number];

/** PAT-T1: at least `min_count` events of `event_type` (canonical key in `event_type_key`) inside the window. */
export interface PatternCondition {
  event_type: string;
  event_type_key: string;
  min_count: number;
}

/** Settings of one kind only: sequence steps and window, pattern conditions and window, level filters (MS-5). */
export interface TriggerConfig {
  /** sequence: the listed event types (display names) and their canonical keys, in order */
  event_types?: string[];
  event_type_keys?: string[];
  window_seconds?: number;
  window_unit?: SequenceWindowUnit;
  ordered?: boolean;
  conditions?: PatternCondition[];
  /** MS-5 / SEQ-2: fire only for leads whose engagement level is one of these (empty or absent = any) */
  engagement_levels?: string[];
}

export interface TriggerFields {
  name: string;
  description: string;
  /** milestone: the causing event's type ('' = any event) */
  event_type: string;
  event_type_key: string;
  score_threshold: number | null;
  fire_mode: FireMode;
  cooldown_seconds: number;
  config: TriggerConfig;
  active: boolean;
  notification_channel_id: string | null;
  webhook_url: string | null;
  teams_webhook_url: string | null;
  emails: string[];
  email_subject: string | null;
  email_preheader: string | null;
  email_message: string | null;
  slack_target_kind: SlackTargetKind | null;
  slack_target_id: string | null;
  /** OWN-1: also DM the lead's owner (milestone reached/exited, sequence completed); absent on older events = false */
  notify_owner: boolean;
}

export interface TriggerCreatedPayload {
  org_id: string;
  unit_id: string;
  kind: TriggerKind;
  fields: TriggerFields;
  by: string;
  at: string;
}

export interface TriggerUpdatedPayload {
  changes: Partial<TriggerFields>;
  by: string;
  at: string;
}

/** TriggerPaused, TriggerActivated, TriggerDeleted */
export interface TriggerStatePayload {
  by: string;
  at: string;
}
