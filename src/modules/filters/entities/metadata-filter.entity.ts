import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Condition } from '../../scoring';

/** Suppresses events whose metadata meets every condition (of one event type, or any when empty). */
@Entity('metadata_filters')
export class MetadataFilter {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') unitId: string;
  @Column('text') name: string;
  @Column('text') eventType: string;
  @Column('jsonb') conditions: Condition[];
  @Column('boolean') enabled: boolean;
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string | null) => Number(v ?? 0) } }) suppressedCount: number;
  @Column('text', { nullable: true }) createdBy: string | null;
  @Column('text', { nullable: true }) updatedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
