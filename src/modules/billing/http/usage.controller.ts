import { Controller, Get } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { UsageReader } from '../usage/usage.reader';
import { UsageDto } from './billing.dto';

@ApiTags('Usage')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('usage')
export class UsageController {
  constructor(private readonly usage: UsageReader) {}

  @Get()
  @ApiOperation({
    operationId: 'getUsage',
    summary: 'Usage metrics (OU/org scoped)',
    description:
      'Returns current-month event usage, billing limits, and overage information for the organization: accepted ingested and imported events of all its ' +
      'OUs in the billing cycle (the calendar month, UTC), suppressed events included, duplicates and decay not. 400 no_active_ou when the caller has no ' +
      'active OU to resolve the organization context from.',
  })
  @ApiOkResponse({ type: UsageDto })
  @ApiErrors(400, 401)
  get(): Promise<UsageDto> {
    return this.usage.current();
  }
}
