import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../../platform/event-store';
import { LeadEventRecordedPayload } from '../../leads';
import { OwnerEventType, OwnerNotifications, OwnerNotifyResult } from '../../notifications';
import { MilestoneKind, TriggerKind } from '../domain';

/** What a new firing tells the owner: the firing as the detection recorded it, and its "Why" line (NF-3). */
export interface TriggerOwnerFiring {
  id: string;
  trigger: { id: string; kind: TriggerKind; name: string; notify_owner: boolean };
  e: Pick<StoredEvent, 'streamId' | 'metadata' | 'recordedAt'>;
  p: Pick<LeadEventRecordedPayload, 'lead_id' | 'event_id' | 'event_type' | 'occurred_at'>;
  milestone?: { kind: MilestoneKind };
  why: string;
}

const TITLES: Record<OwnerEventType, string> = {
  milestone_reached: 'Milestone reached',
  milestone_exited: 'Milestone exited',
  sequence_completed: 'Sequence completed',
  surge_detected: 'Surge detected',
};

/** OWN-1: the owner-notification event type of a firing; patterns have none. */
export function ownerEventTypeOf(f: Pick<TriggerOwnerFiring, 'trigger' | 'milestone'>): OwnerEventType | null {
  if (f.trigger.kind === 'milestone') return f.milestone?.kind === 'exited' ? 'milestone_exited' : 'milestone_reached';
  if (f.trigger.kind === 'sequence') return 'sequence_completed';
  return null;
}

/**
 * "Notify the Lead Owner" (OWN-1): a new milestone firing (reached or exited) or sequence firing of a trigger with
 * `notify_owner` is also sent as a Slack DM to the lead's owner, in the firing's transaction, within the owner's
 * preferences (OWN-2..4; the port checks them). The DM is keyed by the firing, so a replay sends nothing twice.
 * Returns null when nothing was asked (no port, notify_owner off, a pattern).
 */
export async function notifyTriggerOwner(port: OwnerNotifications | undefined, m: EntityManager, f: TriggerOwnerFiring): Promise<OwnerNotifyResult | null> {
  const eventType = ownerEventTypeOf(f);
  if (!port || !f.trigger.notify_owner || !eventType) return null;
  const title = `${TITLES[eventType]}: ${f.trigger.name} — lead ${f.p.lead_id}`;
  return port.notifyOwner(m, {
    org_id: f.e.metadata.org_id!,
    unit_id: f.e.metadata.unit_id!,
    trigger_type: f.trigger.kind,
    trigger_id: f.trigger.id,
    source_id: f.id,
    lead_ref: f.e.streamId,
    event_type: eventType,
    message: {
      title,
      why: f.why,
      body: {
        type: eventType,
        trigger: { id: f.trigger.id, name: f.trigger.name, kind: f.trigger.kind },
        lead: { id: f.p.lead_id },
        event: { id: f.p.event_id, event_type: f.p.event_type, timestamp: f.p.occurred_at },
        why: f.why,
        fired_at: f.e.recordedAt.toISOString(),
        firing_id: f.id,
      },
    },
    at: f.e.recordedAt,
  });
}
