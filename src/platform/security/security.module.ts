import { Global, Module } from '@nestjs/common';
import { OAuthStates } from './oauth-states.service';
import { ServerKeys } from './server-keys.service';

@Global()
@Module({ providers: [ServerKeys, OAuthStates], exports: [ServerKeys, OAuthStates] })
export class SecurityModule {}
