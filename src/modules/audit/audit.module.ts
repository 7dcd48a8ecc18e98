import { Module } from '@nestjs/common';
import { AuditLogsController } from './http/audit-logs.controller';
import { AuditLogsReader } from './queries/audit-logs.reader';

/** The audit-log listing (the writer and middleware live in platform/audit). */
@Module({ controllers: [AuditLogsController], providers: [AuditLogsReader] })
export class AuditLogsModule {}
