import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity';
import { StreamBus } from './stream-bus';
import { StreamController } from './stream.controller';

/** The real-time stream (SSE): any process publishes per OU, api processes relay to their clients. */
@Global()
@Module({ imports: [IdentityModule], controllers: [StreamController], providers: [StreamBus], exports: [StreamBus] })
export class StreamModule {}
