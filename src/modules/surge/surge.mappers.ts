import { isoOrNull } from '../../platform/http';
import type { DeliveryAttemptView } from '../notifications';
import { SurgeTrigger } from './entities/surge-trigger.entity';
import { SurgeDeliveryAttemptDto, SurgeEventDto, SurgeTriggerDto } from './http/surge.dto';

export const WEBHOOK_URL_DEPRECATION = 'webhook_url is deprecated: save a Notification Channel and set notification_channel_id instead';

/** A `surge_events` row as read for the listing. */
export interface SurgeEventRow {
  id: string;
  trigger_id: string;
  lead_id: string;
  event_type: string;
  event_count: number;
  window_start: Date | string;
  window_end: Date | string;
  channel: string;
  fired_at: Date | string;
}

export const toSurgeTriggerView = (t: SurgeTrigger): SurgeTriggerDto => ({
  trigger_id: t.id,
  name: t.name,
  event_type: t.eventType,
  window_seconds: t.windowSeconds,
  window_unit: t.windowUnit,
  threshold_count: t.thresholdCount,
  active: t.active,
  notification_channel_id: t.notificationChannelId,
  webhook_url: t.webhookUrl,
  webhook_auth_header: t.webhookAuthHeaderEnc ? t.webhookAuthHeaderMask : null,
  emails: t.emails,
  slack_target_kind: t.slackTargetKind,
  slack_target_id: t.slackTargetId,
  teams_webhook_url: t.teamsWebhookUrl,
  notify_owner: t.notifyOwner,
  warnings: t.webhookUrl ? [WEBHOOK_URL_DEPRECATION] : [],
  created_by: t.createdBy,
  updated_by: t.updatedBy,
  created_at: isoOrNull(t.createdAt)!,
  updated_at: isoOrNull(t.updatedAt)!,
});

export const toSurgeEventView = (r: SurgeEventRow): SurgeEventDto => ({
  ...r,
  window_start: isoOrNull(r.window_start)!,
  window_end: isoOrNull(r.window_end)!,
  fired_at: isoOrNull(r.fired_at)!,
});

/** An attempt of the notifications' delivery record, as surge health has always shown it. */
export const toSurgeDeliveryAttemptView = (a: DeliveryAttemptView): SurgeDeliveryAttemptDto => ({
  id: a.id,
  surge_event_id: a.source_id,
  destination: a.destination,
  status: a.status,
  http_status: a.http_status,
  error: a.error,
  attempted_at: a.attempted_at,
});

/** `5+ Page View within 7200 s`: the rule in words, for generated names and audit summaries. */
export const describeSurgeRule = (t: SurgeTrigger) => `${t.thresholdCount}+ ${t.eventType || 'events'} within ${t.windowSeconds} s`;
