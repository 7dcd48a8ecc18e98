import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport-strategy';
import { Principal } from '../../../platform/tenancy';
import { PAT_PREFIX } from '../domain/credentials';
import { CredentialVerifier } from '../services/credential-verifier.service';

type Verify = (token: string, done: (err: unknown, user?: Principal | null) => void) => void;

/** `Authorization: Bearer kbn_pat_…` — passes anything else on to the next strategy. */
class BearerPatStrategy extends Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  authenticate(req: { headers: IncomingHttpHeaders }): void {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !match[1].startsWith(PAT_PREFIX)) return this.fail(401);
    this.verify(match[1], (err, user) => (err ? this.error(err as Error) : user ? this.success(user) : this.fail(401)));
  }
}

@Injectable()
export class PatStrategy extends PassportStrategy(BearerPatStrategy, 'pat') {
  constructor(private readonly verifier: CredentialVerifier) {
    super();
  }

  validate(token: string): Promise<Principal | null> {
    return this.verifier.personalAccessToken(token);
  }
}
