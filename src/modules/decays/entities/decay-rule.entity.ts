import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DecayUnit } from '../domain/decay-rule-input';

/** An inactivity decay rule of an OU: `decrease` points per full period of `inactiveFor` × `unit` without activity. */
@Entity('decay_rules')
export class DecayRule {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') unitId: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('integer') inactiveFor: number;
  @Column('text') unit: DecayUnit;
  @Column('integer') decrease: number;
  @Column('boolean', { default: true }) active: boolean;
  @Column('text', { nullable: true }) createdBy: string | null;
  @Column('text', { nullable: true }) updatedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
