import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const WINDOW_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type WindowUnit = (typeof WINDOW_UNITS)[number];
export const SLACK_TARGET_KINDS = ['channel', 'user'] as const;
export type SlackTargetKind = (typeof SLACK_TARGET_KINDS)[number];

/** A surge trigger (SUR-1): fires when a lead produces `thresholdCount`+ matching events within `windowSeconds`. */
@Entity('surge_triggers')
export class SurgeTrigger {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') unitId: string;
  @Column('text') name: string;
  /** '' = every event type */
  @Column('text') eventType: string;
  @Column('text') eventTypeKey: string;
  @Column('integer') windowSeconds: number;
  @Column('text') windowUnit: WindowUnit;
  @Column('integer') thresholdCount: number;
  @Column('boolean') active: boolean;
  @Column('uuid', { nullable: true }) notificationChannelId: string | null;
  @Column('text', { nullable: true }) webhookUrl: string | null;
  /** AES-GCM sealed (see secret-box); never returned */
  @Column('text', { nullable: true }) webhookAuthHeaderEnc: string | null;
  @Column('text', { nullable: true }) webhookAuthHeaderMask: string | null;
  @Column('jsonb') emails: string[];
  @Column('text', { nullable: true }) slackTargetKind: SlackTargetKind | null;
  @Column('text', { nullable: true }) slackTargetId: string | null;
  @Column('text', { nullable: true }) teamsWebhookUrl: string | null;
  /** OWN-1: also DM the lead's owner (`surge_detected`) */
  @Column('boolean') notifyOwner: boolean;
  @Column('text', { nullable: true }) createdBy: string | null;
  @Column('text', { nullable: true }) updatedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
