import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString } from 'class-validator';
import { OpsAdminGuard } from '../auth/ops-admin';
import { ApiErrors } from '../http/error-response.dto';
import { PageQueryDto, pageRequest } from '../http/pagination';
import { Public } from '../http/public.decorator';
import { QueueService } from './queue.service';

class QueueStatsDto {
  @ApiProperty() name: string;
  @ApiProperty() waiting: number;
  @ApiProperty() active: number;
  @ApiProperty() delayed: number;
  @ApiProperty() failed: number;
  @ApiProperty() completed: number;
  @ApiProperty() paused: number;
  @ApiProperty({ description: 'waiting + delayed' }) depth: number;
}

class QueueStatsListDto {
  @ApiProperty({ type: [QueueStatsDto] }) queues: QueueStatsDto[];
}

class FailedJobDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() attempts_made: number;
  @ApiProperty() failed_reason: string;
  @ApiProperty({ nullable: true, type: String }) failed_at: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: unknown;
}

class FailedJobListDto {
  @ApiProperty({ type: [FailedJobDto] }) jobs: FailedJobDto[];
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
}

class RetryFailedDto {
  @ApiPropertyOptional({ type: [String], description: 'Job ids to re-drive; all failed jobs when omitted' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  job_ids?: string[];
}

class RetryFailedResultDto {
  @ApiProperty() retried: number;
}

/** Operations: queue depth, failed jobs and their re-drive (Bull Board at /admin/queues shows the same). */
@ApiTags('Operations')
@ApiBasicAuth('basicAuth')
@Public()
@UseGuards(OpsAdminGuard)
@Controller('admin/queue-stats')
export class QueuesAdminController {
  constructor(private readonly queues: QueueService) {}

  @Get()
  @ApiOperation({
    operationId: 'listQueueStats',
    summary: 'Depth and job counts of every queue',
    description: 'Waiting, active, delayed, failed and completed jobs per queue; depth = waiting + delayed.',
  })
  @ApiOkResponse({ type: QueueStatsListDto })
  @ApiErrors(401)
  async list(): Promise<QueueStatsListDto> {
    return { queues: await this.queues.stats() };
  }

  @Get(':name/failed')
  @ApiOperation({
    operationId: 'listFailedJobs',
    summary: 'Failed jobs of a queue, newest first',
    description: 'Failed jobs are kept until re-driven, with their last error and attempt count.',
  })
  @ApiOkResponse({ type: FailedJobListDto })
  @ApiErrors(400, 401, 404)
  async failed(@Param('name') name: string, @Query() q: PageQueryDto): Promise<FailedJobListDto> {
    const p = pageRequest(q);
    return { jobs: await this.queues.failed(name, p.offset, p.limit), page: p.page, limit: p.limit };
  }

  @Post(':name/failed/retry')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'retryFailedJobs',
    summary: 'Re-drive failed jobs of a queue',
    description: 'Moves the given failed jobs (all when job_ids is omitted) back to waiting, with a fresh attempt budget.',
  })
  @ApiOkResponse({ type: RetryFailedResultDto })
  @ApiErrors(400, 401, 404)
  async retry(@Param('name') name: string, @Body() body: RetryFailedDto): Promise<RetryFailedResultDto> {
    return { retried: await this.queues.retryFailed(name, body.job_ids) };
  }
}
