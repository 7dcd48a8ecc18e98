import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An inorganic (velocity) filter: more than `countThreshold` events of a type per lead within the window. */
@Entity('velocity_filters')
export class VelocityFilter {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') unitId: string;
  @Column('text') eventType: string;
  @Column('text') eventTypeKey: string;
  @Column('integer') countThreshold: number;
  @Column('integer') timeWindowMs: number;
  @Column('boolean') groupEvents: boolean;
  @Column('text', { nullable: true }) createdBy: string | null;
  @Column('text', { nullable: true }) updatedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
