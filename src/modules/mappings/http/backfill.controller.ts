import { Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { BackfillJobs } from '../backfill/backfill-jobs';
import { BACKFILL_PROFILE_MAPPINGS } from '../backfill/profile-mappings-backfill';
import { BackfillJobDto, BackfillProfileMappingsResultDto } from './mappings.dto';

@ApiTags('Admin')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('backfill')
export class MappingsBackfillController {
  constructor(private readonly backfill: BackfillJobs) {}

  @Post('profile-mappings')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'backfillProfileMappings',
    summary: 'Apply profile field mappings to existing leads (OU-scoped)',
    description:
      "Reads all leads in the active OU and applies the currently configured profile field mappings to populate lead metadata. Respects each mapping's update behavior setting: " +
      'each lead is re-derived from its recorded events (oldest first): always_latest takes the latest value, set_once fills an empty property with the earliest value, ' +
      'append keeps the last 10 values in "<property>_list". Safe to re-run (a second run updates no lead). A queued job on the worker: answers 200 with the counts when it ' +
      'finishes within SCHEDULED_JOB_RUN_WAIT_MS (60 s by default), else 202 with the job to follow at GET /backfill/jobs/{jobId}; the job keeps going.',
  })
  @ApiOkResponse({ type: BackfillProfileMappingsResultDto })
  @ApiAcceptedResponse({ type: BackfillJobDto })
  @ApiErrors(400, 401, 403)
  async profileMappings(@Res({ passthrough: true }) res: FastifyReply): Promise<BackfillProfileMappingsResultDto | BackfillJobDto> {
    const outcome = await this.backfill.start<BackfillProfileMappingsResultDto>(BACKFILL_PROFILE_MAPPINGS);
    if (outcome.done) return outcome.result;
    res.status(HttpStatus.ACCEPTED);
    return outcome.job;
  }

  @Get('jobs/:jobId')
  @ApiOperation({
    operationId: 'getBackfillJob',
    summary: 'Get a backfill job of the active OU: status, progress and counts',
    description:
      'Follows any backfill that answered 202 (profile mappings, account mapping, event accountId): its kind, status, progress, and once completed the counts that kind answers. Another OU’s job, or an unknown id, answers 404.',
  })
  @ApiOkResponse({ type: BackfillJobDto })
  @ApiErrors(400, 401, 404)
  job(@Param('jobId') jobId: string): Promise<BackfillJobDto> {
    return this.backfill.job(jobId);
  }
}
