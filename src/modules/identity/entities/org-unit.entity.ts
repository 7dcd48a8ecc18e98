import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('org_units')
export class OrgUnit {
  @PrimaryColumn('text') id: string;
  @Column('text') orgId: string;
  @Column('text') name: string;
  @Column('text') slug: string;
  @Column('boolean') isDefault: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
