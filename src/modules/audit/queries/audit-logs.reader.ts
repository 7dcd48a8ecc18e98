import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { joinSql, raw, selectRows, sql } from '../../../platform/database';
import { RequestContext, orgScope, unitOnly } from '../../../platform/tenancy';
import { AuditLogRow, toAuditLogView } from '../audit.mappers';
import { AuditLogPageDto, AuditLogQueryDto } from '../http/audit-logs.dto';

const DEFAULT_LIMIT = 100;

/** `%text%` for ILIKE, with the pattern characters of the text matched literally. */
const containing = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`;

/** The audit log of the active OU, filtered and sorted; org admins also see organization-level entries. */
@Injectable()
export class AuditLogsReader {
  constructor(private readonly ds: DataSource) {}

  async page(q: AuditLogQueryDto): Promise<AuditLogPageDto> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const offset = q.offset ?? 0;
    const orgAdmin = RequestContext.principal().orgRole === 'admin';
    const conditions = [orgScope(), sql`(${unitOnly()} OR (${orgAdmin} AND unit_id IS NULL))`];
    if (q.search) {
      const pattern = containing(q.search);
      conditions.push(sql`(user_email ILIKE ${pattern} OR path ILIKE ${pattern} OR ip ILIKE ${pattern})`);
    }
    if (q.method) conditions.push(sql`method = ${q.method}`);
    if (q.status_min !== undefined) conditions.push(sql`status >= ${q.status_min}`);
    if (q.status_max !== undefined) conditions.push(sql`status <= ${q.status_max}`);
    if (q.user_email) conditions.push(sql`lower(user_email) = lower(${q.user_email})`);
    // sort_by and sort_order are one of a fixed list each (validated), never raw input
    const direction = raw(q.sort_order ?? 'DESC');
    const order = sql`${raw(q.sort_by ?? 'created_at')} ${direction}, id ${direction}`;
    const rows = await selectRows<AuditLogRow>(
      this.ds,
      sql`SELECT * FROM audit_logs WHERE ${joinSql(conditions)} ORDER BY ${order} NULLS LAST LIMIT ${limit} OFFSET ${offset}`,
    );
    return { items: rows.map(toAuditLogView), limit, offset };
  }
}
