import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors, pageRequest } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { SurgeTriggersReader } from '../queries/surge-triggers.reader';
import { SurgeEventDto, SurgeEventsQueryDto } from './surge.dto';

/** One record per firing (SUR-9). */
@ApiTags('Rules')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('surge-events')
export class SurgeEventsController {
  constructor(private readonly triggers: SurgeTriggersReader) {}

  @Get()
  @ApiOperation({
    operationId: 'listSurgeEvents',
    summary: 'List surge events (OU-scoped)',
    description:
      'Surge events of the active OU, newest first (one per firing). start inclusive, end exclusive, both on fired_at. The total count is in the X-Total-Count header.',
  })
  @ApiOkResponse({ type: [SurgeEventDto], headers: { 'X-Total-Count': { description: 'Events matching the filters', schema: { type: 'integer' } } } })
  @ApiErrors(400, 401)
  async list(@Query() q: SurgeEventsQueryDto, @Res({ passthrough: true }) res: Response): Promise<SurgeEventDto[]> {
    const { items, total } = await this.triggers.events({ start: q.start, end: q.end, channel: q.channel }, pageRequest(q));
    res.header('X-Total-Count', String(total));
    return items;
  }
}
