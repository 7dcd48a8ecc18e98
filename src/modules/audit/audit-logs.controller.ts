import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiErrors } from '../../platform/http/error-response.dto';
import { RequestContext } from '../../platform/tenancy/request-context';
import { OuScoped } from '../../platform/tenancy/tenancy.decorators';
import { AuditLogItemDto, AuditLogPageDto, AuditLogQueryDto } from './audit-logs.dto';

@ApiTags('Admin')
@ApiBearerAuth('bearerAuth')
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @OuScoped()
  @ApiOperation({
    operationId: 'listAuditLogs',
    summary: 'List audit logs (OU-scoped)',
    description: "Entries of the active OU (org admins also see organization-level entries such as member changes), filtered and sorted.",
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiErrors(400, 401)
  async list(@Query() q: AuditLogQueryDto): Promise<AuditLogPageDto> {
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const params: unknown[] = [RequestContext.orgId(), RequestContext.unitId(), RequestContext.principal().orgRole === 'admin'];
    const where = [`org_id = $1`, `(unit_id = $2 OR ($3 AND unit_id IS NULL))`];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.search) add(`(user_email ILIKE ? OR path ILIKE $${params.length + 1} OR ip ILIKE $${params.length + 1})`, `%${q.search.replace(/[%_\\]/g, '\\$&')}%`);
    if (q.method) add(`method = ?`, q.method);
    if (q.status_min !== undefined) add(`status >= ?`, q.status_min);
    if (q.status_max !== undefined) add(`status <= ?`, q.status_max);
    if (q.user_email) add(`lower(user_email) = lower(?)`, q.user_email);
    // sort_by is one of a fixed list (validated), never raw input
    const order = `${q.sort_by ?? 'created_at'} ${q.sort_order ?? 'DESC'}, id ${q.sort_order ?? 'DESC'}`;
    params.push(limit, offset);
    const rows = await this.dataSource.query(
      `SELECT * FROM audit_logs WHERE ${where.join(' AND ')} ORDER BY ${order} NULLS LAST LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows.map(toItem), limit, offset };
  }
}

function toItem(r: Record<string, any>): AuditLogItemDto {
  return {
    id: String(r.id),
    created_at: new Date(r.created_at).toISOString(),
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
  };
}
