import { maskSecret, sealSecret } from '../../../platform/security';
import { canonicalEventType } from '../../scoring/domain';
import { SlackTargetKind, SurgeTrigger, WindowUnit } from '../entities/surge-trigger.entity';
import { SurgeErrors } from '../surge.errors';

/** The fields a create or update may carry: absent = unchanged, null = cleared (for the nullable ones). */
export interface SurgeTriggerChanges {
  name?: string;
  event_type?: string;
  window_seconds?: number;
  window_unit?: WindowUnit;
  threshold_count?: number;
  active?: boolean;
  notification_channel_id?: string | null;
  webhook_url?: string | null;
  webhook_auth_header?: string | null;
  emails?: string[];
  slack_target_kind?: SlackTargetKind | null;
  slack_target_id?: string | null;
  teams_webhook_url?: string | null;
  notify_owner?: boolean;
}

/** OWN-1: the owner's DM counts (alerts may go to the owner instead of a shared channel) */
const hasDestination = (t: SurgeTrigger) =>
  Boolean(t.notificationChannelId || t.webhookUrl || t.teamsWebhookUrl || t.slackTargetId || t.emails.length || t.notifyOwner);

/**
 * Applies the fields present in `changes` to the trigger, then checks the whole trigger: create and update
 * share it so a draft and an edit obey the same rules. `fieldKey` seals the webhook Authorization header.
 * Destinations outside the trigger (URLs, the channel) are checked by SurgeDestinations first.
 */
export function applySurgeTriggerChanges(t: SurgeTrigger, changes: SurgeTriggerChanges, fieldKey: Buffer): void {
  if (changes.event_type !== undefined) {
    t.eventType = changes.event_type.trim();
    t.eventTypeKey = canonicalEventType(t.eventType);
  }
  if (changes.window_seconds !== undefined) t.windowSeconds = changes.window_seconds;
  if (changes.threshold_count !== undefined) t.thresholdCount = changes.threshold_count;
  if (changes.window_unit !== undefined) t.windowUnit = changes.window_unit;
  if (changes.active !== undefined) t.active = changes.active;
  if (changes.notification_channel_id !== undefined) t.notificationChannelId = changes.notification_channel_id;
  if (changes.webhook_url !== undefined) t.webhookUrl = changes.webhook_url || null;
  if (changes.webhook_auth_header !== undefined) {
    const header = changes.webhook_auth_header?.trim() || null;
    t.webhookAuthHeaderEnc = header ? sealSecret(fieldKey, header) : null;
    t.webhookAuthHeaderMask = header ? maskSecret(header) : null;
  }
  if (changes.emails !== undefined) t.emails = [...new Set(changes.emails.map((e) => e.trim().toLowerCase()))];
  if (changes.slack_target_id !== undefined) t.slackTargetId = changes.slack_target_id?.trim() || null;
  if (changes.slack_target_kind !== undefined) t.slackTargetKind = changes.slack_target_kind;
  if (t.slackTargetId && !t.slackTargetKind) t.slackTargetKind = 'channel';
  if (!t.slackTargetId) t.slackTargetKind = null;
  if (changes.teams_webhook_url !== undefined) t.teamsWebhookUrl = changes.teams_webhook_url || null;
  if (changes.notify_owner !== undefined) t.notifyOwner = changes.notify_owner;
  if (changes.name !== undefined) t.name = changes.name.trim();

  if (t.active && !hasDestination(t)) {
    throw SurgeErrors.error(
      'destination_required',
      'an active surge trigger needs a destination (notification_channel_id, webhook_url, teams_webhook_url, slack_target_id, emails or notify_owner); pass active:false to save a draft',
      [{ field: 'active', reason: 'active trigger without destination' }],
    );
  }
}
