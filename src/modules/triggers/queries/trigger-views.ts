import { isoOrNull } from '../../../platform/http';
import { FireMode, TriggerConfig, TriggerKind } from '../domain';
import { MilestoneEventDto, MilestoneTriggerDto, PatternTriggerDto, SequenceEventDto, SequenceTriggerDto } from '../http/triggers.dto';

/** A `triggers` row. */
export interface TriggerRow {
  id: string;
  org_id: string;
  unit_id: string;
  kind: TriggerKind;
  name: string;
  description: string;
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
  slack_target_kind: string | null;
  slack_target_id: string | null;
  notify_owner: boolean;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface MilestoneEventRow {
  id: string;
  trigger_id: string;
  trigger_name: string;
  lead_id: string;
  score: number;
  previous_score: number;
  event_id: string;
  event_type: string;
  fired_at: Date;
}

export interface SequenceEventRow {
  id: string;
  sequence_id: string;
  sequence_name: string;
  lead_id: string;
  event_types: string[];
  event_ids: string[];
  fired_at: Date;
}

const destinations = (t: TriggerRow) => ({
  notification_channel_id: t.notification_channel_id,
  webhook_url: t.webhook_url,
  teams_webhook_url: t.teams_webhook_url,
  emails: t.emails,
  slack_target_kind: t.slack_target_kind,
  slack_target_id: t.slack_target_id,
});

const stamps = (t: TriggerRow) => ({
  created_at: isoOrNull(t.created_at)!,
  updated_at: isoOrNull(t.updated_at)!,
  created_by: t.created_by,
  updated_by: t.updated_by,
});

const email = (t: TriggerRow) => ({ email_subject: t.email_subject, email_preheader: t.email_preheader, email_message: t.email_message });

export const toMilestoneTriggerView = (t: TriggerRow): MilestoneTriggerDto => ({
  trigger_id: t.id,
  org_id: t.org_id,
  unit_id: t.unit_id,
  name: t.name,
  event_type: t.event_type,
  score_threshold: t.score_threshold!,
  fire_mode: t.fire_mode,
  cooldown_seconds: t.cooldown_seconds,
  engagement_levels: t.config.engagement_levels ?? [],
  active: t.active,
  ...destinations(t),
  notify_owner: t.notify_owner,
  ...email(t),
  ...stamps(t),
});

export const toSequenceTriggerView = (t: TriggerRow): SequenceTriggerDto => ({
  trigger_id: t.id,
  org_id: t.org_id,
  unit_id: t.unit_id,
  name: t.name,
  event_types: t.config.event_types ?? [],
  event_steps: (t.config.event_types ?? []).map((event_type, i) => ({ position: i + 1, event_type })),
  window_seconds: t.config.window_seconds!,
  window_unit: t.config.window_unit ?? 'seconds',
  ordered: !!t.config.ordered,
  fire_mode: t.fire_mode,
  engagement_levels: t.config.engagement_levels ?? [],
  profile_filters: [],
  lead_attribute_filters: [],
  active: t.active,
  ...destinations(t),
  notify_owner: t.notify_owner,
  ...email(t),
  hubspot_sync: false,
  ...stamps(t),
});

export const toPatternTriggerView = (t: TriggerRow & { frequency_count?: number }): PatternTriggerDto => ({
  trigger_id: t.id,
  name: t.name,
  description: t.description,
  active: t.active,
  window_seconds: t.config.window_seconds!,
  conditions: (t.config.conditions ?? []).map((c) => ({ event_type: c.event_type, min_count: c.min_count })),
  ...destinations(t),
  frequency_count: t.frequency_count ?? 0,
  ...stamps(t),
});

export const toMilestoneEventView = (r: MilestoneEventRow): MilestoneEventDto => ({
  id: r.id,
  trigger_id: r.trigger_id,
  trigger_name: r.trigger_name,
  lead_id: r.lead_id,
  score: Number(r.score),
  previous_score: Number(r.previous_score),
  event_id: r.event_id,
  event_type: r.event_type,
  fired_at: isoOrNull(r.fired_at)!,
});

export const toSequenceEventView = (r: SequenceEventRow): SequenceEventDto => ({
  id: r.id,
  sequence_id: r.sequence_id,
  sequence_name: r.sequence_name,
  lead_id: r.lead_id,
  event_types: r.event_types,
  event_ids: r.event_ids,
  fired_at: isoOrNull(r.fired_at)!,
});
