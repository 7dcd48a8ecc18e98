import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { AuditLogsReader } from '../queries/audit-logs.reader';
import { AuditLogPageDto, AuditLogQueryDto } from './audit-logs.dto';

@ApiTags('Admin')
@ApiBearerAuth('bearerAuth')
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly auditLogs: AuditLogsReader) {}

  @Get()
  @OuScoped()
  @ApiOperation({
    operationId: 'listAuditLogs',
    summary: 'List audit logs (OU-scoped)',
    description: 'Entries of the active OU (org admins also see organization-level entries such as member changes), filtered and sorted.',
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiErrors(400, 401)
  list(@Query() q: AuditLogQueryDto): Promise<AuditLogPageDto> {
    return this.auditLogs.page(q);
  }
}
