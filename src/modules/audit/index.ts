/** The audit-log listing's public surface (the writer and middleware are platform/audit). */
export { AuditLogsModule } from './audit.module';
