import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../../platform/http';
import { RequestContext } from '../../../platform/tenancy';
import { SurgeMetricsService } from '../queries/surge-metrics.service';
import { SurgeMetricsDto, SurgeMetricsQueryDto } from './surge-metrics.dto';

/** SUR-M1. The OU is named in the path (not the active OU), like the other /org-units/{id}/… routes. */
@ApiTags('Surge')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@Controller('org-units/:ouId/surge-metrics')
export class SurgeMetricsController {
  constructor(private readonly metrics: SurgeMetricsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getOuSurgeMetrics',
    summary: 'Surge metrics summary for an OU',
    description:
      'Surge firings of the OU in [start, end) on fired_at: totals (surges, distinct leads, events counted), the peak bucket, surges per channel and a ' +
      'series of every bucket (UTC-aligned, empty ones included). The caller must be a member of the OU (403 otherwise; 404 for an OU of another ' +
      'organization). At most 2976 buckets per request.',
  })
  @ApiParam({ name: 'ouId', description: 'Organization Unit ID to scope the results.' })
  @ApiOkResponse({ type: SurgeMetricsDto })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('ouId') ouId: string, @Query() q: SurgeMetricsQueryDto): Promise<SurgeMetricsDto> {
    return this.metrics.metrics(RequestContext.principal(), ouId, q);
  }
}
