import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../../../platform/http/app-error';
import { OuRole, Principal } from '../../../platform/tenancy/request-context';
import { IdentityErrors } from '../identity.errors';

export interface OuAccess {
  unitId: string;
  role: OuRole;
}

/** Which OUs a caller may act in, and with which role. */
@Injectable()
export class OuAccessService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The OU a request acts in: the activeOu cookie when the caller may use it, else the OU remembered for
   * the credential. Null when neither is usable.
   */
  async resolveActive(p: Principal, cookieUnit?: string): Promise<OuAccess | null> {
    const rows: Array<{ id: string; role: OuRole | null }> = await this.dataSource.query(
      `WITH candidates AS (
         SELECT $1::text AS id, 1 AS ord WHERE $1::text IS NOT NULL
         UNION ALL SELECT unit_id, 2 FROM principal_active_units WHERE principal = $2)
       SELECT u.id, m.role
         FROM candidates c
         JOIN org_units u ON u.id = c.id AND u.org_id = $3
         LEFT JOIN ou_memberships m ON m.unit_id = u.id AND m.org_member_id = $4
        ORDER BY c.ord`,
      [cookieUnit ?? null, p.activeOuKey, p.orgId, p.memberId ?? null],
    );
    for (const r of rows) {
      const role = this.effectiveRole(p, r.role);
      if (role) return { unitId: r.id, role };
    }
    return null;
  }

  /** The caller's role in an OU of their organization; 404 for an OU of another organization. */
  async roleIn(p: Principal, unitId: string): Promise<OuRole | null> {
    const [row] = await this.dataSource.query(
      `SELECT u.id, m.role FROM org_units u
         LEFT JOIN ou_memberships m ON m.unit_id = u.id AND m.org_member_id = $3
        WHERE u.id = $1 AND u.org_id = $2`,
      [unitId, p.orgId, p.memberId ?? null],
    );
    if (!row) throw IdentityErrors.notFound('ou_not_found', 'organizational unit');
    return this.effectiveRole(p, row.role);
  }

  /** Requires one of `allowed` in the OU (403 otherwise, 404 when the OU is not in the caller's organization). */
  async require(p: Principal, unitId: string, allowed: readonly OuRole[]): Promise<OuRole> {
    const role = await this.roleIn(p, unitId);
    if (!role) throw IdentityErrors.error('not_a_member', 'you are not a member of this organizational unit');
    if (!allowed.includes(role)) throw AppError.forbidden('forbidden', `this needs the ${allowed.join(' or ')} role in the organizational unit`);
    return role;
  }

  /** Org admins act as Owners everywhere; service accounts as Operators of every OU of their organization. */
  private effectiveRole(p: Principal, membership: OuRole | null): OuRole | null {
    if (p.orgRole === 'admin') return 'Owner';
    if (p.type === 'service_account') return 'Operator';
    return membership;
  }
}
