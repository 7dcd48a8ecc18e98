import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { DeliveryOutbox, OwnerNotification, OwnerNotifications, OwnerNotifyResult } from '../../notifications';

export type { OwnerEventType, OwnerNotification, OwnerNotifyResult } from '../../notifications';

/**
 * Owner DMs (OWN-1..5): queues a Slack DM to the lead's owner through the one outbox, in the firing's transaction.
 * The owner is the organization member whose id or e-mail is the lead's `owner_id`; they must have a Slack user id
 * (OWN-4: unmapped users cannot be DMed), their master switch on and the event type not muted in the lead's OU.
 * Preferences never affect shared channels (those go through the trigger's own destinations).
 */
@Injectable()
export class OwnerNotifier extends OwnerNotifications {
  constructor(private readonly outbox: DeliveryOutbox) {
    super();
  }

  async notifyOwner(m: EntityManager, n: OwnerNotification): Promise<OwnerNotifyResult> {
    const scope = { orgId: n.org_id, unitId: n.unit_id };
    const lead = await selectOne<{ owner_id: string | null }>(m, sql`SELECT owner_id FROM leads WHERE id = ${n.lead_ref} AND ${unitScope(undefined, scope)}`);
    const ownerId = lead?.owner_id?.trim();
    if (!ownerId) return { queued: false, reason: 'no_owner' };
    const owner = await selectOne<{ slack_user_id: string | null; notifications_enabled: boolean | null; muted_event_types: string[] | null }>(
      m,
      sql`SELECT om.slack_user_id, s.notifications_enabled, s.muted_event_types
            FROM org_members om
            LEFT JOIN member_notification_settings s ON s.org_member_id = om.id AND s.unit_id = ${n.unit_id}
           WHERE om.org_id = ${n.org_id} AND (om.id = ${ownerId} OR lower(om.email) = lower(${ownerId}))
           LIMIT 1`,
    );
    if (!owner) return { queued: false, reason: 'owner_not_a_member' };
    if (!owner.slack_user_id) return { queued: false, reason: 'owner_not_mapped' };
    if (owner.notifications_enabled === false) return { queued: false, reason: 'notifications_disabled' };
    if ((owner.muted_event_types ?? []).includes(n.event_type)) return { queued: false, reason: 'event_type_muted' };
    const connected = await selectOne(m, sql`SELECT 1 FROM slack_connections WHERE unit_id = ${n.unit_id} AND org_id = ${n.org_id}`);
    if (!connected) return { queued: false, reason: 'not_connected' };
    const [id] = await this.outbox.enqueue(m, {
      org_id: n.org_id,
      unit_id: n.unit_id,
      trigger_type: n.trigger_type,
      trigger_id: n.trigger_id,
      source_id: n.source_id,
      lead_ref: n.lead_ref,
      destinations: [{ kind: 'slack', target: 'user', id: owner.slack_user_id }],
      message: n.message,
      at: n.at,
    });
    return { queued: true, delivery_id: id ?? null, slack_user_id: owner.slack_user_id };
  }
}
