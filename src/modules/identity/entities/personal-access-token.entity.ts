import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('personal_access_tokens')
export class PersonalAccessToken {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') orgMemberId: string;
  @Column('text') name: string;
  @Column('text') tokenPrefix: string;
  @Column('text', { select: false }) tokenHash: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { nullable: true }) lastUsedAt: Date | null;
  @Column('timestamptz', { nullable: true }) revokedAt: Date | null;
}
