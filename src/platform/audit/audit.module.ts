import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AuditMiddleware } from './audit.middleware';
import { AuditWriter } from './audit-writer.service';

@Global()
@Module({ providers: [AuditWriter, AuditMiddleware], exports: [AuditWriter] })
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // every path, `/` included (middie matches `/*path` only below the root)
    consumer.apply(AuditMiddleware).forRoutes('{*path}');
  }
}
