import type { EntityManager } from 'typeorm';
import type { NotificationMessage, TriggerType } from './delivery.types';

/** OWN-1/OWN-5: the four canonical owner-notification event types. */
export type OwnerEventType = 'milestone_reached' | 'milestone_exited' | 'sequence_completed' | 'surge_detected';

export interface OwnerNotification {
  org_id: string;
  unit_id: string;
  trigger_type: TriggerType;
  trigger_id: string | null;
  /** the firing's id (one DM per firing however often it is replayed) */
  source_id: string;
  /** the lead's stream id (`leads.id`) */
  lead_ref: string;
  event_type: OwnerEventType;
  message: NotificationMessage;
  at: Date;
}

export type OwnerNotifyResult =
  | { queued: true; delivery_id: string | null; slack_user_id: string }
  | { queued: false; reason: 'no_owner' | 'owner_not_a_member' | 'owner_not_mapped' | 'notifications_disabled' | 'event_type_muted' | 'not_connected' };

/**
 * How a firing DMs the lead's owner (OWN-1..5): implemented by the slack module (the owner's Slack id, their
 * preferences, the OU's connection; the DM goes through the outbox in the caller's transaction), so triggers and
 * surge never depend on slack. Absent = no owner DMs.
 */
export abstract class OwnerNotifications {
  abstract notifyOwner(m: EntityManager, n: OwnerNotification): Promise<OwnerNotifyResult>;
}
