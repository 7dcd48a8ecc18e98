import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { OrgRole } from '../../../platform/tenancy';

@Entity('org_members')
export class OrgMember {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') firstName: string;
  @Column('text') lastName: string;
  @Column('text') email: string;
  @Column('text', { select: false }) passwordHash: string;
  @Column('text') role: OrgRole;
  @Column('boolean') verified: boolean;
  @Column('text', { nullable: true }) slackUserId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
