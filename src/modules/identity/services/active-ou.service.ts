import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, unitOnly } from '../../../platform/tenancy';
import { execute, raw, sql } from '../../../platform/database';
import { CredentialCache } from './credential-cache.service';

/**
 * Remembers each credential's active OU, so cookie-less API clients set it once (seed 000 quick start), and
 * forgets it when the credential or the member's access goes away.
 */
@Injectable()
export class ActiveOuService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: CredentialCache,
  ) {}

  async remember(p: Principal, unitId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO principal_active_units (principal, unit_id) VALUES ($1, $2)
       ON CONFLICT (principal) DO UPDATE SET unit_id = excluded.unit_id, updated_at = now()`,
      [p.activeOuKey, unitId],
    );
    // every process resolves this credential's active OU afresh (OuAccessService caches it)
    await this.cache.invalidate(p.activeOuKey);
  }

  /** A deleted service account or revoked token (`sa:<id>`, `pat:<id>`). The caller invalidates that tag once committed. */
  async forgetCredential(activeOuKey: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.query(`DELETE FROM principal_active_units WHERE principal = $1`, [activeOuKey]);
  }

  /**
   * A member (their JWT and all their tokens) leaving the organization, or only one OU when `unitId` is given.
   * The caller invalidates `member:<id>` once committed.
   */
  async forgetMember(memberId: string, unitId?: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    const inUnit = unitId ? unitOnly(undefined, unitId) : raw('TRUE');
    await execute(
      m,
      sql`DELETE FROM principal_active_units
           WHERE ${inUnit}
             AND (principal = ${`member:${memberId}`} OR principal IN (SELECT 'pat:' || id FROM personal_access_tokens WHERE org_member_id = ${memberId}))`,
    );
  }
}
