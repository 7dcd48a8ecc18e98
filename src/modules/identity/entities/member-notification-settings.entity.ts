import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('member_notification_settings')
export class MemberNotificationSettings {
  @PrimaryColumn('text') orgMemberId: string;
  @PrimaryColumn('text') unitId: string;
  @Column('boolean') notificationsEnabled: boolean;
  @Column('text', { array: true }) mutedEventTypes: string[];
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
