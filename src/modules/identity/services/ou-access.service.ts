import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PlatformErrors } from '../../../platform/http';
import { OuRole, Principal, orgScope } from '../../../platform/tenancy';
import { IdentityErrors } from '../identity.errors';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { CredentialCache } from './credential-cache.service';

export interface OuAccess {
  unitId: string;
  role: OuRole;
}

/** Which OUs a caller may act in, and with which role. */
@Injectable()
export class OuAccessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: CredentialCache,
  ) {}

  /**
   * The OU a request acts in: the activeOu cookie when the caller may use it, else the OU remembered for
   * the credential. Null when neither is usable.
   *
   * Asked on every OU-scoped request, so the answer is kept in the credential cache per principal and cookie.
   * Whatever changes it invalidates there (in every process): the remembered OU (POST /org-units/active, a
   * credential deleted: tag = the credential's activeOuKey), a member's memberships, org role or removal
   * (member:<id>), a new OU of the organization (org:<id>).
   */
  async resolveActive(p: Principal, cookieUnit?: string): Promise<OuAccess | null> {
    const cookie = cookieUnit ?? null;
    const key = `ou:${p.orgId}:${p.type}:${p.activeOuKey}:${p.memberId ?? ''}:${p.orgRole ?? ''}:${cookie ?? ''}`;
    const cached = this.cache.recall<OuAccess | null>(key);
    if (cached) return cached.value;
    const mark = this.cache.mark();
    const access = await this.readActive(p, cookie);
    this.cache.remember(key, access, [p.activeOuKey, ...(p.memberId ? [`member:${p.memberId}`] : []), `org:${p.orgId}`], mark);
    return access;
  }

  private async readActive(p: Principal, cookie: string | null): Promise<OuAccess | null> {
    const rows = await selectRows<{ id: string; role: OuRole | null }>(
      this.dataSource,
      sql`WITH candidates AS (
            SELECT ${cookie}::text AS id, 1 AS ord WHERE ${cookie}::text IS NOT NULL
            UNION ALL SELECT unit_id, 2 FROM principal_active_units WHERE principal = ${p.activeOuKey})
          SELECT u.id, m.role
            FROM candidates c
            JOIN org_units u ON u.id = c.id AND ${orgScope('u', p.orgId)}
            LEFT JOIN ou_memberships m ON m.unit_id = u.id AND m.org_member_id = ${p.memberId ?? null}
           ORDER BY c.ord`,
    );
    for (const r of rows) {
      const role = this.effectiveRole(p, r.role);
      if (role) return Object.freeze({ unitId: r.id, role });
    }
    return null;
  }

  /** The caller's role in an OU of their organization; 404 for an OU of another organization. */
  async roleIn(p: Principal, unitId: string): Promise<OuRole | null> {
    const row = await selectOne<{ id: string; role: OuRole | null }>(
      this.dataSource,
      sql`SELECT u.id, m.role FROM org_units u
            LEFT JOIN ou_memberships m ON m.unit_id = u.id AND m.org_member_id = ${p.memberId ?? null}
           WHERE u.id = ${unitId} AND ${orgScope('u', p.orgId)}`,
    );
    if (!row) throw IdentityErrors.notFound('ou_not_found', 'organizational unit');
    return this.effectiveRole(p, row.role);
  }

  /** Requires one of `allowed` in the OU (403 otherwise, 404 when the OU is not in the caller's organization). */
  async require(p: Principal, unitId: string, allowed: readonly OuRole[]): Promise<OuRole> {
    const role = await this.roleIn(p, unitId);
    if (!role) throw IdentityErrors.error('not_a_member', 'you are not a member of this organizational unit');
    if (!allowed.includes(role)) throw PlatformErrors.error('forbidden', `this needs the ${allowed.join(' or ')} role in the organizational unit`);
    return role;
  }

  /** Org admins act as Owners everywhere; service accounts as Operators of every OU of their organization. */
  private effectiveRole(p: Principal, membership: OuRole | null): OuRole | null {
    if (p.orgRole === 'admin') return 'Owner';
    if (p.type === 'service_account') return 'Operator';
    return membership;
  }
}
