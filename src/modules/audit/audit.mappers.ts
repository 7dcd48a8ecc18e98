import type { AuditEntry } from '../../platform/audit';
import { isoOrNull } from '../../platform/http';
import { AuditLogItemDto } from './http/audit-logs.dto';

/** An `audit_logs` row as PostgreSQL returns it: what the platform's writer stored, plus the id (bigint, as text). */
export interface AuditLogRow extends Omit<AuditEntry, 'created_at'> {
  id: string | number;
  created_at: Date | string;
}

export const toAuditLogView = (r: AuditLogRow): AuditLogItemDto => ({
  id: String(r.id),
  created_at: isoOrNull(r.created_at)!,
  user_email: r.user_email,
  actor_type: r.actor_type,
  actor_id: r.actor_id,
  method: r.method,
  path: r.path,
  status: r.status,
  ip: r.ip,
  latency_ms: r.latency_ms,
  verb: r.verb,
  entity_type: r.entity_type,
  entity_id: r.entity_id,
  summary: r.summary,
  unit_id: r.unit_id,
  request_id: r.request_id,
});
