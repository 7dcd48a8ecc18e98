import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskSlackId } from '../domain/credentials';

/** The four owner-notification event types every preference list shows (behaviour OWN-5). */
export const CANONICAL_NOTIFICATION_TYPES = ['milestone_reached', 'milestone_exited', 'sequence_completed', 'surge_detected'] as const;
export type NotificationType = (typeof CANONICAL_NOTIFICATION_TYPES)[number];

export interface NotificationPrefsView {
  notifications_enabled: boolean;
  slack_user_id: string | null;
  prefs: Array<{ event_type: NotificationType; muted: boolean }>;
}

/** A member's Slack DM preferences in one OU. The master switch mutes all without losing per-type choices. */
@Injectable()
export class NotificationPrefsService {
  constructor(private readonly dataSource: DataSource) {}

  async get(memberId: string, unitId: string): Promise<NotificationPrefsView> {
    const [row] = await this.dataSource.query(
      `SELECT m.slack_user_id, s.notifications_enabled, s.muted_event_types
         FROM org_members m LEFT JOIN member_notification_settings s ON s.org_member_id = m.id AND s.unit_id = $2
        WHERE m.id = $1`,
      [memberId, unitId],
    );
    const muted = new Set<string>(row?.muted_event_types ?? []);
    return {
      notifications_enabled: row?.notifications_enabled ?? true,
      slack_user_id: maskSlackId(row?.slack_user_id),
      prefs: CANONICAL_NOTIFICATION_TYPES.map((event_type) => ({ event_type, muted: muted.has(event_type) })),
    };
  }

  async update(memberId: string, unitId: string, changes: { notifications_enabled?: boolean; prefs?: Array<{ event_type: NotificationType; muted: boolean }> }): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO member_notification_settings (org_member_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [memberId, unitId],
      );
      const [row] = await m.query(
        `SELECT notifications_enabled, muted_event_types FROM member_notification_settings WHERE org_member_id = $1 AND unit_id = $2 FOR UPDATE`,
        [memberId, unitId],
      );
      const muted = new Set<string>(row.muted_event_types);
      for (const p of changes.prefs ?? []) (p.muted ? muted.add(p.event_type) : muted.delete(p.event_type));
      await m.query(
        `UPDATE member_notification_settings SET notifications_enabled = $3, muted_event_types = $4, updated_at = now() WHERE org_member_id = $1 AND unit_id = $2`,
        [memberId, unitId, changes.notifications_enabled ?? row.notifications_enabled, [...muted].sort()],
      );
    });
  }
}
