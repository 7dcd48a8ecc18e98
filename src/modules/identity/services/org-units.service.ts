import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OuRole, Principal, orgScope } from '../../../platform/tenancy';
import { newId, Queryable, selectOne, selectRows, sql } from '../../../platform/database';
import { slugify } from '../domain/credentials';
import { Organization } from '../entities/organization.entity';
import { OrgUnit } from '../entities/org-unit.entity';
import { IdentityErrors } from '../identity.errors';
import { CredentialCache } from './credential-cache.service';

/** The plan includes up to three OUs per organization (docs /billing). */
export const MAX_UNITS_PER_ORG = 3;

export interface UnitWithRole {
  unit: OrgUnit;
  role: OuRole;
}

@Injectable()
export class OrgUnitsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: CredentialCache,
  ) {}

  async organization(orgId: string): Promise<Organization> {
    const org = await this.dataSource.getRepository(Organization).findOneBy({ id: orgId });
    if (!org) throw IdentityErrors.notFound('organization_not_found', 'organization');
    return org;
  }

  /** The OUs the caller may use: all of the organization for admins and service accounts, else memberships. */
  async accessible(p: Principal): Promise<UnitWithRole[]> {
    const rows = await selectRows<{ id: string; org_id: string; name: string; slug: string; is_default: boolean; role: OuRole | null }>(
      this.dataSource,
      sql`SELECT u.id, u.org_id, u.name, u.slug, u.is_default, u.created_at, u.updated_at, m.role
            FROM org_units u LEFT JOIN ou_memberships m ON m.unit_id = u.id AND m.org_member_id = ${p.memberId ?? null}
           WHERE ${orgScope('u', p.orgId)} ORDER BY u.is_default DESC, u.created_at`,
    );
    const all = p.orgRole === 'admin' || p.type === 'service_account';
    return rows
      .filter((r) => all || r.role)
      .map((r) => ({
        unit: Object.assign(new OrgUnit(), { id: r.id, orgId: r.org_id, name: r.name, slug: r.slug, isDefault: r.is_default }),
        role: p.orgRole === 'admin' ? 'Owner' : p.type === 'service_account' ? 'Operator' : (r.role as OuRole),
      }));
  }

  async get(orgId: string, unitId: string): Promise<OrgUnit> {
    const unit = await this.dataSource.getRepository(OrgUnit).findOneBy({ id: unitId, orgId });
    if (!unit) throw IdentityErrors.notFound('ou_not_found', 'organizational unit');
    return unit;
  }

  /** Creates an OU; a creating member becomes its Owner. */
  async create(p: Principal, name: string, id = newId('unit')): Promise<OrgUnit> {
    const created = await this.dataSource.transaction(async (m) => {
      // serialise creations per organization so the plan limit holds under concurrency
      await m.query(`SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE`, [p.orgId]);
      const { n } = (await selectOne<{ n: number }>(m, sql`SELECT count(*)::int AS n FROM org_units WHERE ${orgScope(undefined, p.orgId)}`))!;
      if (n >= MAX_UNITS_PER_ORG) throw IdentityErrors.error('ou_limit_reached', `the plan includes up to ${MAX_UNITS_PER_ORG} organizational units`);
      const unit = m.getRepository(OrgUnit).create({ id, orgId: p.orgId, name: name.trim(), slug: await this.freeSlug(m, p.orgId, name), isDefault: n === 0 });
      await m.getRepository(OrgUnit).save(unit);
      if (p.memberId)
        await m.query(`INSERT INTO ou_memberships (unit_id, org_member_id, role) VALUES ($1, $2, 'Owner') ON CONFLICT DO NOTHING`, [unit.id, p.memberId]);
      return unit;
    });
    // a cookie may name the new OU, and its creator is now its Owner: active OUs are resolved afresh
    await this.cache.invalidate(`org:${p.orgId}`);
    return created;
  }

  async rename(orgId: string, unitId: string, name: string): Promise<OrgUnit> {
    const unit = await this.get(orgId, unitId);
    unit.name = name.trim();
    unit.slug = await this.freeSlug(this.dataSource, orgId, name, unitId);
    return this.dataSource.getRepository(OrgUnit).save(unit);
  }

  private async freeSlug(db: Queryable, orgId: string, name: string, exceptUnit?: string): Promise<string> {
    const base = slugify(name);
    const others = await selectRows<{ slug: string }>(
      db,
      sql`SELECT slug FROM org_units WHERE ${orgScope(undefined, orgId)} AND id <> coalesce(${exceptUnit ?? null}, '')`,
    );
    const taken = new Set(others.map((r) => r.slug));
    let slug = base;
    for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
    return slug;
  }
}
