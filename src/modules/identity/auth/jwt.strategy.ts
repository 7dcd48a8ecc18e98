import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ServerKeys } from '../../../platform/security';
import { Principal } from '../../../platform/tenancy';
import { CredentialVerifier } from '../services/credential-verifier.service';

export interface AccessTokenClaims {
  sub: string;
  org: string;
  typ: 'access';
}

/** Users: `Authorization: Bearer <JWT>` from POST /auth/login. The member is looked up on every request. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly verifier: CredentialVerifier,
    keys: ServerKeys,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types predate KeyObject keys; jsonwebtoken (which verifies) accepts them
      secretOrKeyProvider: (_req: unknown, _raw: unknown, done: (err: unknown, key?: string) => void) => done(null, keys.jwtSigningKey as unknown as string),
      algorithms: ['HS256'],
      issuer: 'kenbun',
    });
  }

  validate(claims: AccessTokenClaims): Promise<Principal | null> {
    if (claims?.typ !== 'access' || !claims.sub || !claims.org) return Promise.resolve(null);
    return this.verifier.member(claims.sub, claims.org);
  }
}
