import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { ServerKeys } from '../../../platform/security';
import { OrgRole, Principal, orgScope } from '../../../platform/tenancy';
import { hashSecret } from '../domain/credentials';
import { CredentialCache } from './credential-cache.service';
import { selectOne, sql } from '../../../platform/database';

const TOUCH_EVERY_MS = 60_000;

/**
 * Turns a presented credential into a Principal, or null. One indexed query per check and no slow hash:
 * a deleted service account, a revoked or expired token or a deleted member fails on the very next request.
 */
@Injectable()
export class CredentialVerifier {
  /** last time this process wrote last_used_at for a credential (writes are throttled to one a minute) */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
    private readonly cache: CredentialCache,
  ) {}

  async serviceAccount(clientId: string, clientSecret: string): Promise<Principal | null> {
    if (!clientId || !clientSecret || clientId.length > 200 || clientSecret.length > 500) return null;
    const presentedHash = hashSecret(this.keys.credentialHmacKey, clientSecret);
    const key = `sa:${clientId}:${presentedHash}`;
    const cached = this.cache.get(key, this.clock.now());
    if (cached) return cached;
    const mark = this.cache.mark();
    const [row] = await this.dataSource.query(`SELECT id, org_id, secret_hash FROM service_accounts WHERE client_id = $1 AND deleted_at IS NULL`, [clientId]);
    if (!row || !timingSafeEqual(Buffer.from(presentedHash, 'hex'), Buffer.from(row.secret_hash, 'hex'))) return null;
    this.touch('service_accounts', row.id);
    const principal: Principal = { type: 'service_account', id: row.id, orgId: row.org_id, activeOuKey: `sa:${row.id}` };
    this.cache.set(key, principal, mark);
    return principal;
  }

  async personalAccessToken(token: string): Promise<Principal | null> {
    if (token.length > 200) return null;
    const tokenHash = hashSecret(this.keys.credentialHmacKey, token);
    const key = `pat:${tokenHash}`;
    const cached = this.cache.get(key, this.clock.now());
    if (cached) return cached;
    const mark = this.cache.mark();
    const [row] = await this.dataSource.query(
      `SELECT t.id, t.org_id, t.org_member_id, t.expires_at, m.email, m.role
         FROM personal_access_tokens t JOIN org_members m ON m.id = t.org_member_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [tokenHash],
    );
    if (!row) return null;
    const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= this.clock.now().getTime()) return null;
    this.touch('personal_access_tokens', row.id);
    const principal: Principal = {
      type: 'pat',
      id: row.id,
      orgId: row.org_id,
      memberId: row.org_member_id,
      email: row.email,
      orgRole: row.role,
      activeOuKey: `pat:${row.id}`,
    };
    this.cache.set(key, principal, mark, expiresAt);
    return principal;
  }

  async member(memberId: string, orgId: string): Promise<Principal | null> {
    const key = `member:${orgId}:${memberId}`;
    const cached = this.cache.get(key, this.clock.now());
    if (cached) return cached;
    const mark = this.cache.mark();
    const row = await selectOne<{ id: string; org_id: string; email: string; role: OrgRole }>(
      this.dataSource,
      sql`SELECT id, org_id, email, role FROM org_members WHERE id = ${memberId} AND ${orgScope(undefined, orgId)}`,
    );
    if (!row) return null;
    const principal: Principal = {
      type: 'member',
      id: row.id,
      orgId: row.org_id,
      memberId: row.id,
      email: row.email,
      orgRole: row.role,
      activeOuKey: `member:${row.id}`,
    };
    this.cache.set(key, principal, mark);
    return principal;
  }

  private touch(table: 'service_accounts' | 'personal_access_tokens', id: string): void {
    const now = Date.now();
    if ((this.touched.get(id) ?? 0) > now - TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    if (this.touched.size > 100_000) this.touched.clear();
    void this.dataSource.query(`UPDATE ${table} SET last_used_at = $2 WHERE id = $1`, [id, this.clock.now()]).catch(() => undefined);
  }
}
