import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('service_accounts')
export class ServiceAccount {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') name: string;
  @Column('text') clientId: string;
  @Column('text', { select: false }) secretHash: string;
  @Column('text', { nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) lastUsedAt: Date | null;
  @Column('timestamptz', { nullable: true }) deletedAt: Date | null;
}
