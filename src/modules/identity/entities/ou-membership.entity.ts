import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { OuRole } from '../../../platform/tenancy';

@Entity('ou_memberships')
export class OuMembership {
  @PrimaryColumn('text') unitId: string;
  @PrimaryColumn('text') orgMemberId: string;
  @Column('text') role: OuRole;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
