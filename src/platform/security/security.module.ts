import { Global, Module } from '@nestjs/common';
import { ServerKeys } from './server-keys.service';

@Global()
@Module({ providers: [ServerKeys], exports: [ServerKeys] })
export class SecurityModule {}
