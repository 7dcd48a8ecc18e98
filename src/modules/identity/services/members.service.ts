import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OrgRole, inOrg, orgScope } from '../../../platform/tenancy';
import { newId, isUniqueViolation, selectOne, sql } from '../../../platform/database';
import { hashPassword } from '../domain/credentials';
import { OrgMember } from '../entities/org-member.entity';
import { ActiveOuService } from './active-ou.service';
import { CredentialCache } from './credential-cache.service';
import { IdentityErrors } from '../identity.errors';

export interface NewMember {
  first_name: string;
  last_name: string;
  email: string;
  password: string;
  role: OrgRole;
  verified?: boolean;
}

export interface MemberChanges {
  first_name?: string;
  last_name?: string;
  email?: string;
  role?: OrgRole;
}

/** Members of the caller's organization. */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: CredentialCache,
    private readonly activeOu: ActiveOuService,
  ) {}

  list(): Promise<OrgMember[]> {
    return this.dataSource.getRepository(OrgMember).find({ where: inOrg(), order: { createdAt: 'ASC' } });
  }

  async get(id: string): Promise<OrgMember> {
    const m = await this.dataSource.getRepository(OrgMember).findOne({ where: inOrg({ id }) });
    if (!m) throw IdentityErrors.notFound('member_not_found', 'member');
    return m;
  }

  async create(orgId: string, input: NewMember, manager: EntityManager = this.dataSource.manager): Promise<OrgMember> {
    const email = input.email.trim().toLowerCase();
    await this.assertEmailFree(email, undefined, manager);
    const member = manager.getRepository(OrgMember).create({
      id: newId('om'),
      orgId,
      firstName: input.first_name.trim(),
      lastName: input.last_name.trim(),
      email,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      verified: input.verified ?? false,
      slackUserId: null,
    });
    try {
      return await manager.getRepository(OrgMember).save(member);
    } catch (err) {
      if (isUniqueViolation(err)) throw IdentityErrors.error('email_taken', `a member with email ${email} already exists`);
      throw err;
    }
  }

  async update(id: string, changes: MemberChanges): Promise<OrgMember> {
    const updated = await this.dataSource.transaction(async (m) => {
      const member = await m.getRepository(OrgMember).findOne({ where: inOrg({ id }), lock: { mode: 'pessimistic_write' } });
      if (!member) throw IdentityErrors.notFound('member_not_found', 'member');
      if (changes.email !== undefined) {
        const email = changes.email.trim().toLowerCase();
        await this.assertEmailFree(email, id, m);
        member.email = email;
      }
      if (changes.first_name !== undefined) member.firstName = changes.first_name.trim();
      if (changes.last_name !== undefined) member.lastName = changes.last_name.trim();
      if (changes.role !== undefined && changes.role !== member.role) {
        if (member.role === 'admin') await this.assertAnotherAdmin(m, member);
        member.role = changes.role;
      }
      return m.getRepository(OrgMember).save(member);
    });
    // the cached principal carries email and org role
    await this.cache.invalidate(`member:${id}`);
    return updated;
  }

  /** Deletes the member; their OU memberships and tokens go with them (cascade). The last admin stays. */
  async remove(id: string): Promise<OrgMember> {
    const removed = await this.dataSource.transaction(async (m) => {
      const member = await m.getRepository(OrgMember).findOne({ where: inOrg({ id }), lock: { mode: 'pessimistic_write' } });
      if (!member) throw IdentityErrors.notFound('member_not_found', 'member');
      if (member.role === 'admin') await this.assertAnotherAdmin(m, member);
      await this.activeOu.forgetMember(id, undefined, m);
      await m.getRepository(OrgMember).delete({ id });
      return member;
    });
    await this.cache.invalidate(`member:${id}`);
    return removed;
  }

  async setSlackUserId(id: string, slackUserId: string): Promise<OrgMember> {
    const member = await this.get(id);
    member.slackUserId = slackUserId;
    return this.dataSource.getRepository(OrgMember).save(member);
  }

  private async assertEmailFree(email: string, exceptId: string | undefined, m: EntityManager): Promise<void> {
    const [row] = await m.query(`SELECT id FROM org_members WHERE lower(email) = $1`, [email]);
    if (row && row.id !== exceptId) throw IdentityErrors.error('email_taken', `a member with email ${email} already exists`);
  }

  private async assertAnotherAdmin(m: EntityManager, member: OrgMember): Promise<void> {
    const { n } = (await selectOne<{ n: number }>(
      m,
      sql`SELECT count(*)::int AS n FROM org_members WHERE ${orgScope(undefined, member.orgId)} AND role = 'admin' AND id <> ${member.id}`,
    ))!;
    if (n === 0) throw IdentityErrors.error('last_admin', 'the organization must keep at least one admin');
  }
}
