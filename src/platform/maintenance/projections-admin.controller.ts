import { InjectQueue } from '@nestjs/bull';
import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bull';
import { OpsAdminGuard } from '../auth/ops-admin';
import { PlatformErrors } from '../http/platform.errors';
import { ApiErrors } from '../http/error-response.dto';
import { Public } from '../http/public.decorator';
import { ProjectionRegistry } from '../projections/projection.registry';
import { ProjectionStatusReader } from '../projections/projection-status.reader';
import { QueueName } from '../queues/queue-names';
import { REBUILD_PROJECTION, RebuildProjectionData } from './rebuild-projection.job';

class ProjectionStatusDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'running | failing | new | inline (applied with each append)' }) status: string;
  @ApiProperty() events_processed: number;
  @ApiProperty({ description: 'Committed events not applied yet' }) lag: number;
  @ApiProperty({ nullable: true, type: String }) last_error: string | null;
  @ApiProperty({ nullable: true, type: String }) updated_at: string | null;
}

class ProjectionStatusListDto {
  @ApiProperty({ type: [ProjectionStatusDto] }) projections: ProjectionStatusDto[];
}

class QueuedJobDto {
  @ApiProperty({ example: 'queued' }) status: string;
  @ApiProperty() job_id: string;
}

@ApiTags('Operations')
@ApiBasicAuth('basicAuth')
@Public()
@UseGuards(OpsAdminGuard)
@Controller('admin/projections')
export class ProjectionsAdminController {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly statuses: ProjectionStatusReader,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listProjections',
    summary: 'Projections with checkpoint, lag and last error',
    description: 'Every read-model projection with its status, events applied, events not yet applied and last error.',
  })
  @ApiOkResponse({ type: ProjectionStatusListDto })
  @ApiErrors(401)
  async list(): Promise<ProjectionStatusListDto> {
    return { projections: await this.statuses.list() };
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'rebuildProjection',
    summary: 'Queue a rebuild of one projection from position zero',
    description:
      "The worker empties the projection's tables and replays the event store in one transaction; readers see the old rows until it commits. Progress is reported on the job.",
  })
  @ApiAcceptedResponse({ type: QueuedJobDto })
  @ApiErrors(401, 404)
  async rebuild(@Param('name') name: string): Promise<QueuedJobDto> {
    if (!this.registry.all().some((p) => p.name === name)) throw PlatformErrors.notFound('projection_not_found', `projection ${name}`);
    const job = await this.maintenance.add(REBUILD_PROJECTION, { projection: name } satisfies RebuildProjectionData, { attempts: 1 });
    return { status: 'queued', job_id: String(job.id) };
  }
}
