import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { newId } from '../../../platform/database';
import { generatePassword, hashPassword, slugify } from '../domain/credentials';

export const DEFAULT_UNIT_ID = 'unit_default';

export interface NewOrganization {
  name: string;
  adminEmail: string;
  /** generated (and returned) when absent */
  adminPassword?: string;
  /** id of the organization's first OU; generated when absent */
  unitId?: string;
}

export interface CreatedOrganization {
  orgId: string;
  unitId: string;
  adminMemberId: string;
  adminEmail: string;
  /** set only when the password was generated (it is printed once) */
  generatedPassword?: string;
}

/**
 * Creates organizations: on a database without any (first run) one organization, the OU `unit_default`
 * and an admin from KENBUN_ADMIN_EMAIL / KENBUN_ADMIN_PASSWORD; later ones through the CLI (`org:create`).
 * Serialised by an advisory lock so api and worker processes starting together create the first one once.
 */
@Injectable()
export class FirstRunService {
  private readonly logger = new Logger('FirstRun');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async ensure(): Promise<CreatedOrganization | null> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('kenbun:first-run'))`);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM organizations`);
      if (n > 0) return null;
      const env = this.config.env;
      const created = await this.createIn(m, {
        name: env.KENBUN_ORG_NAME,
        adminEmail: env.KENBUN_ADMIN_EMAIL,
        adminPassword: env.KENBUN_ADMIN_PASSWORD || undefined,
        unitId: DEFAULT_UNIT_ID,
      });
      this.logger.log({
        msg: 'first run: created organization, OU and admin',
        org_id: created.orgId,
        unit_id: created.unitId,
        admin_email: created.adminEmail,
      });
      return created;
    });
  }

  create(input: NewOrganization): Promise<CreatedOrganization> {
    return this.dataSource.transaction((m) => this.createIn(m, input));
  }

  private async createIn(m: EntityManager, input: NewOrganization): Promise<CreatedOrganization> {
    const orgId = newId('org');
    const unitId = input.unitId ?? newId('unit');
    const memberId = newId('om');
    const email = input.adminEmail.trim().toLowerCase();
    const password = input.adminPassword || generatePassword();
    let slug = slugify(input.name);
    const [taken] = await m.query(`SELECT 1 FROM organizations WHERE slug = $1`, [slug]);
    if (taken) slug = `${slug}-${orgId.slice(4, 10).toLowerCase()}`;
    await m.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)`, [orgId, input.name, slug]);
    await m.query(`INSERT INTO org_units (id, org_id, name, slug, is_default) VALUES ($1, $2, 'Default', 'default', true)`, [unitId, orgId]);
    await m.query(
      `INSERT INTO org_members (id, org_id, first_name, last_name, email, password_hash, role, verified) VALUES ($1, $2, 'Admin', 'User', $3, $4, 'admin', true)`,
      [memberId, orgId, email, await hashPassword(password)],
    );
    await m.query(`INSERT INTO ou_memberships (unit_id, org_member_id, role) VALUES ($1, $2, 'Owner')`, [unitId, memberId]);
    return { orgId, unitId, adminMemberId: memberId, adminEmail: email, generatedPassword: input.adminPassword ? undefined : password };
  }

  /** The one-time banner: how to log in (and the generated password, which is not logged anywhere else). */
  static banner(r: CreatedOrganization, port: number): string {
    const lines = [
      '',
      '──────────────────────────────────────────────────────────────────────',
      ` kenbun first run: organization, OU "${r.unitId}" and an admin created`,
      `   email:    ${r.adminEmail}`,
      r.generatedPassword ? `   password: ${r.generatedPassword}   (generated; shown only now)` : '   password: the value of KENBUN_ADMIN_PASSWORD',
      ' log in:',
      `   curl -s -X POST http://localhost:${port}/auth/login -H 'Content-Type: application/json' \\`,
      `        -d '{"email":"${r.adminEmail}","password":"<password>"}'`,
      ' then create a service account: POST /secrets with the access token,',
      ' or on this machine: npm run cli -- service-account:create --name pipeline',
      '──────────────────────────────────────────────────────────────────────',
      '',
    ];
    return lines.join('\n');
  }
}
