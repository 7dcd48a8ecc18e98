import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface RateLimitSettings {
  enabled?: boolean;
  mode?: 'observe' | 'enforce';
  key_by?: 'principal' | 'org' | 'ip';
  per_minute?: number;
  burst?: number;
}

@Entity('organizations')
export class Organization {
  @PrimaryColumn('text') id: string;
  @Column('text') name: string;
  @Column('text') slug: string;
  @Column('jsonb', { nullable: true }) rateLimit: RateLimitSettings | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
