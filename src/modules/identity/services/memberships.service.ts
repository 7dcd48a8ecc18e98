import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OuRole, Principal } from '../../../platform/tenancy/request-context';
import { ActiveOuService } from './active-ou.service';
import { OuAccessService } from './ou-access.service';
import { IdentityErrors } from '../identity.errors';

export interface MembershipView {
  unit_id: string;
  org_member_id: string;
  role: OuRole;
  first_name: string;
  last_name: string;
  email: string;
  created_at: string;
  updated_at: string;
}

const MANAGERS: OuRole[] = ['Owner', 'Operator'];

/** OU memberships. Reading needs membership of the OU; changes need Owner or Operator there (002). */
@Injectable()
export class MembershipsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: OuAccessService,
    private readonly activeOu: ActiveOuService,
  ) {}

  async list(p: Principal, unitId: string): Promise<MembershipView[]> {
    await this.access.require(p, unitId, ['Owner', 'Operator', 'Viewer']);
    return (await this.query(`WHERE m.unit_id = $1`, [unitId])).map(view);
  }

  /** Idempotent: assigning again with the same role changes nothing; another role updates it. */
  async assign(p: Principal, unitId: string, memberId: string, role: OuRole): Promise<{ membership: MembershipView; created: boolean }> {
    await this.access.require(p, unitId, MANAGERS);
    const [member] = await this.dataSource.query(`SELECT id FROM org_members WHERE id = $1 AND org_id = $2`, [memberId, p.orgId]);
    if (!member) throw IdentityErrors.notFound('member_not_found', 'member');
    const [row] = await this.dataSource.query(
      `INSERT INTO ou_memberships (unit_id, org_member_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (unit_id, org_member_id) DO UPDATE SET role = excluded.role,
         updated_at = CASE WHEN ou_memberships.role = excluded.role THEN ou_memberships.updated_at ELSE now() END
       RETURNING (xmax = 0) AS created`,
      [unitId, memberId, role],
    );
    return { membership: await this.one(unitId, memberId), created: row.created };
  }

  async changeRole(p: Principal, unitId: string, memberId: string, role: OuRole): Promise<MembershipView> {
    await this.access.require(p, unitId, MANAGERS);
    // UPDATE … RETURNING answers [rows, count] through TypeORM
    const [rows] = await this.dataSource.query(`UPDATE ou_memberships SET role = $3, updated_at = now() WHERE unit_id = $1 AND org_member_id = $2 RETURNING 1`, [unitId, memberId, role]);
    if (!rows?.length) throw IdentityErrors.notFound('membership_not_found', 'membership');
    return this.one(unitId, memberId);
  }

  async remove(p: Principal, unitId: string, memberId: string): Promise<void> {
    await this.access.require(p, unitId, MANAGERS);
    const [rows] = await this.dataSource.query(`DELETE FROM ou_memberships WHERE unit_id = $1 AND org_member_id = $2 RETURNING 1`, [unitId, memberId]);
    if (!rows?.length) throw IdentityErrors.notFound('membership_not_found', 'membership');
    await this.activeOu.forgetMember(memberId, unitId);
  }

  private async one(unitId: string, memberId: string): Promise<MembershipView> {
    const [row] = await this.query(`WHERE m.unit_id = $1 AND m.org_member_id = $2`, [unitId, memberId]);
    if (!row) throw IdentityErrors.notFound('membership_not_found', 'membership');
    return view(row);
  }

  private query(where: string, params: unknown[]): Promise<Record<string, any>[]> {
    return this.dataSource.query(
      `SELECT m.unit_id, m.org_member_id, m.role, m.created_at, m.updated_at, o.first_name, o.last_name, o.email
         FROM ou_memberships m JOIN org_members o ON o.id = m.org_member_id ${where} ORDER BY m.created_at`,
      params,
    );
  }
}

function view(r: Record<string, any>): MembershipView {
  return {
    unit_id: r.unit_id,
    org_member_id: r.org_member_id,
    role: r.role,
    first_name: r.first_name,
    last_name: r.last_name,
    email: r.email,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}
