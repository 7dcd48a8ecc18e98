import { Global, Module } from '@nestjs/common';
import { OutboundClient } from './outbound-client';

/** The one guarded outbound HTTP client (contracts §2), for every role. */
@Global()
@Module({ providers: [OutboundClient], exports: [OutboundClient] })
export class OutboundModule {}
