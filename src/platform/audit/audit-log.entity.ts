import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_logs')
export class AuditLog {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column('text') orgId: string;
  @Column('text', { nullable: true }) unitId: string | null;
  @Column('text') actorType: string;
  @Column('text') actorId: string;
  @Column('text', { nullable: true }) userEmail: string | null;
  @Column('text') method: string;
  @Column('text') path: string;
  @Column('integer') status: number;
  @Column('text', { nullable: true }) ip: string | null;
  @Column('integer') latencyMs: number;
  @Column('text') verb: string;
  @Column('text', { nullable: true }) entityType: string | null;
  @Column('text', { nullable: true }) entityId: string | null;
  @Column('text') summary: string;
  @Column('text', { nullable: true }) requestId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
