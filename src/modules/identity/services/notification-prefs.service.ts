import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskSlackId } from '../domain/credentials';
import { execute, selectOne, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';

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
    const row = await selectOne<{ slack_user_id: string | null; notifications_enabled: boolean | null; muted_event_types: string[] | null }>(
      this.dataSource,
      sql`SELECT m.slack_user_id, s.notifications_enabled, s.muted_event_types
            FROM org_members m LEFT JOIN member_notification_settings s ON s.org_member_id = m.id AND ${unitOnly('s', unitId)}
           WHERE m.id = ${memberId}`,
    );
    const muted = new Set<string>(row?.muted_event_types ?? []);
    return {
      notifications_enabled: row?.notifications_enabled ?? true,
      slack_user_id: maskSlackId(row?.slack_user_id),
      prefs: CANONICAL_NOTIFICATION_TYPES.map((event_type) => ({ event_type, muted: muted.has(event_type) })),
    };
  }

  async update(
    memberId: string,
    unitId: string,
    changes: { notifications_enabled?: boolean; prefs?: Array<{ event_type: NotificationType; muted: boolean }> },
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await execute(m, sql`INSERT INTO member_notification_settings (org_member_id, unit_id) VALUES (${memberId}, ${unitId}) ON CONFLICT DO NOTHING`);
      const settings = sql`member_notification_settings WHERE org_member_id = ${memberId} AND ${unitOnly(undefined, unitId)}`;
      const row = (await selectOne<{ notifications_enabled: boolean; muted_event_types: string[] }>(
        m,
        sql`SELECT notifications_enabled, muted_event_types FROM ${settings} FOR UPDATE`,
      ))!;
      const muted = new Set<string>(row.muted_event_types);
      for (const p of changes.prefs ?? []) {
        if (p.muted) muted.add(p.event_type);
        else muted.delete(p.event_type);
      }
      const enabled = changes.notifications_enabled ?? row.notifications_enabled;
      await execute(
        m,
        sql`UPDATE member_notification_settings SET notifications_enabled = ${enabled}, muted_event_types = ${[...muted].sort()}, updated_at = now()
                            WHERE org_member_id = ${memberId} AND ${unitOnly(undefined, unitId)}`,
      );
    });
  }
}
