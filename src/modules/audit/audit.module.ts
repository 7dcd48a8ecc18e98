import { Module } from '@nestjs/common';
import { AuditLogsController } from './audit-logs.controller';

/** The audit-log listing (the writer and middleware live in platform/audit). */
@Module({ controllers: [AuditLogsController] })
export class AuditLogsModule {}
