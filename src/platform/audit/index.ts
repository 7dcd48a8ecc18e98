export type { AuditEntry } from './audit-writer.service';
