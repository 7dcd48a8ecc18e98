import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { ServerKeys } from '../../../platform/security';
import { verifyPassword } from '../domain/credentials';
import { AccessTokenClaims } from '../auth/jwt.strategy';
import { IdentityErrors } from '../identity.errors';

// a valid hash to compare against when the email is unknown, so both paths cost the same
const DUMMY_HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA==$EmMZ5AFxdy1pp8QjW5Mr/N/gBpk9Xwk8c6s6e2cEqRY=';

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly keys: ServerKeys,
    private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; memberId: string; orgId: string }> {
    const [row] = await this.dataSource.query(`SELECT id, org_id, password_hash FROM org_members WHERE lower(email) = $1`, [email.trim().toLowerCase()]);
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) throw IdentityErrors.error('invalid_credentials', 'wrong email or password');
    const ttl = this.config.env.JWT_TTL_SECONDS;
    const claims: AccessTokenClaims = { sub: row.id, org: row.org_id, typ: 'access' };
    // @nestjs/jwt's types predate KeyObject keys; jsonwebtoken signs with them
    const access_token = await this.jwt.signAsync(claims, {
      secret: this.keys.jwtSigningKey as unknown as string,
      expiresIn: ttl,
      issuer: 'kenbun',
      algorithm: 'HS256',
    });
    return { access_token, token_type: 'Bearer', expires_in: ttl, memberId: row.id, orgId: row.org_id };
  }
}
