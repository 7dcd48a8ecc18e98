import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OuRole, Principal, orgScope, unitOnly } from '../../../platform/tenancy';
import { ActiveOuService } from './active-ou.service';
import { CredentialCache } from './credential-cache.service';
import { OuAccessService } from './ou-access.service';
import { IdentityErrors } from '../identity.errors';
import { execute, selectOne, selectRows, Sql, sql } from '../../../platform/database';
import { MembershipRow, MembershipView, toMembershipView } from '../http/identity.mappers';

const MANAGERS: OuRole[] = ['Owner', 'Operator'];

/** OU memberships. Reading needs membership of the OU; changes need Owner or Operator there (002). */
@Injectable()
export class MembershipsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: OuAccessService,
    private readonly activeOu: ActiveOuService,
    private readonly cache: CredentialCache,
  ) {}

  async list(p: Principal, unitId: string): Promise<MembershipView[]> {
    await this.access.require(p, unitId, ['Owner', 'Operator', 'Viewer']);
    return (await this.query(unitOnly('m', unitId))).map(toMembershipView);
  }

  /** Idempotent: assigning again with the same role changes nothing; another role updates it. */
  async assign(p: Principal, unitId: string, memberId: string, role: OuRole): Promise<{ membership: MembershipView; created: boolean }> {
    await this.access.require(p, unitId, MANAGERS);
    const member = await selectOne(this.dataSource, sql`SELECT id FROM org_members WHERE id = ${memberId} AND ${orgScope(undefined, p.orgId)}`);
    if (!member) throw IdentityErrors.notFound('member_not_found', 'member');
    const row = await selectOne<{ created: boolean }>(
      this.dataSource,
      sql`INSERT INTO ou_memberships (unit_id, org_member_id, role) VALUES (${unitId}, ${memberId}, ${role})
          ON CONFLICT (unit_id, org_member_id) DO UPDATE SET role = excluded.role,
            updated_at = CASE WHEN ou_memberships.role = excluded.role THEN ou_memberships.updated_at ELSE now() END
          RETURNING (xmax = 0) AS created`,
    );
    await this.changed(memberId);
    return { membership: await this.one(unitId, memberId), created: row!.created };
  }

  async changeRole(p: Principal, unitId: string, memberId: string, role: OuRole): Promise<MembershipView> {
    await this.access.require(p, unitId, MANAGERS);
    const changed = await execute(
      this.dataSource,
      sql`UPDATE ou_memberships SET role = ${role}, updated_at = now() WHERE ${unitOnly(undefined, unitId)} AND org_member_id = ${memberId}`,
    );
    if (!changed) throw IdentityErrors.notFound('membership_not_found', 'membership');
    await this.changed(memberId);
    return this.one(unitId, memberId);
  }

  async remove(p: Principal, unitId: string, memberId: string): Promise<void> {
    await this.access.require(p, unitId, MANAGERS);
    const removed = await execute(this.dataSource, sql`DELETE FROM ou_memberships WHERE ${unitOnly(undefined, unitId)} AND org_member_id = ${memberId}`);
    if (!removed) throw IdentityErrors.notFound('membership_not_found', 'membership');
    await this.activeOu.forgetMember(memberId, unitId);
    await this.changed(memberId);
  }

  /** The member's role in an OU changed: every process resolves their active OU afresh (see OuAccessService). */
  private changed(memberId: string): Promise<void> {
    return this.cache.invalidate(`member:${memberId}`);
  }

  private async one(unitId: string, memberId: string): Promise<MembershipView> {
    const [row] = await this.query(sql`${unitOnly('m', unitId)} AND m.org_member_id = ${memberId}`);
    if (!row) throw IdentityErrors.notFound('membership_not_found', 'membership');
    return toMembershipView(row);
  }

  private query(where: Sql): Promise<MembershipRow[]> {
    return selectRows<MembershipRow>(
      this.dataSource,
      sql`SELECT m.unit_id, m.org_member_id, m.role, m.created_at, m.updated_at, o.first_name, o.last_name, o.email
            FROM ou_memberships m JOIN org_members o ON o.id = m.org_member_id WHERE ${where} ORDER BY m.created_at`,
    );
  }
}
