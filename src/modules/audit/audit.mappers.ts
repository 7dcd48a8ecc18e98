import { isoOrNull } from '../../platform/http';
import { AuditLogItemDto } from './http/audit-logs.dto';

/** An `audit_logs` row as PostgreSQL returns it (the bigint id arrives as text). */
export interface AuditLogRow {
  id: string | number;
  org_id: string;
  unit_id: string | null;
  created_at: Date | string;
  user_email: string | null;
  actor_type: string;
  actor_id: string;
  method: string;
  path: string;
  status: number;
  ip: string | null;
  latency_ms: number;
  verb: string;
  entity_type: string | null;
  entity_id: string | null;
  summary: string;
  request_id: string | null;
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
