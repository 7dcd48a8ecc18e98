import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BasicStrategy as HttpBasic } from 'passport-http';
import { Principal } from '../../../platform/tenancy';
import { CredentialVerifier } from '../services/credential-verifier.service';

/** Service accounts: HTTP Basic `client_id:client_secret`. */
@Injectable()
export class BasicStrategy extends PassportStrategy(HttpBasic, 'basic') {
  constructor(private readonly verifier: CredentialVerifier) {
    super({ realm: 'kenbun' });
  }

  validate(clientId: string, clientSecret: string): Promise<Principal | null> {
    return this.verifier.serviceAccount(clientId, clientSecret);
  }
}
