import { Controller, Get, HttpCode, HttpStatus, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { OpsAdminGuard } from '../auth/ops-admin';
import { ApiErrors } from '../http/error-response.dto';
import { Public } from '../http/public.decorator';
import { FINISHED, JobRun } from './job-run.store';
import { ScheduledJobRuns } from './scheduled-job-runs.service';

class ScheduledJobDto {
  @ApiProperty({ example: 'decay.apply' }) name: string;
  @ApiProperty({ example: '0 * * * *', description: 'Cron expression, UTC' }) cron: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Start of the newest run, by cron or by hand' }) last_run_at: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['running', 'succeeded', 'failed', 'skipped'] }) last_status: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) next_run_at: string;
}

class ScheduledJobRunDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Id of this run (GET /admin/scheduled-jobs/{name}/runs/{run_id})' }) run_id: string;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed', 'skipped'], description: 'skipped: another run of the job was in progress' })
  status: string;
  @ApiProperty({ type: String, format: 'date-time' }) started_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finished_at: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: "The job's own summary (counts)" }) result: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Units done so far (leads, rows…), while it runs' }) progress_done: number | null;
  @ApiProperty({ nullable: true, type: Number }) progress_total: number | null;
}

class ScheduledJobAcceptedDto {
  @ApiProperty() name: string;
  @ApiProperty() run_id: string;
}

function runDto(run: JobRun): ScheduledJobRunDto {
  return {
    name: run.job_name,
    run_id: run.id,
    status: run.status,
    started_at: run.started_at.toISOString(),
    finished_at: run.finished_at ? run.finished_at.toISOString() : null,
    result: run.result,
    // the first line only: stacks stay in the run row and the worker's log
    error: run.error ? run.error.split('\n')[0] : null,
    progress_done: run.progress_done,
    progress_total: run.progress_total,
  };
}

/** Contracts §1: scheduled jobs an operator lists and runs by hand (HTTP Basic operations credential). */
@ApiTags('Operations')
@ApiBasicAuth('basicAuth')
@Public()
@UseGuards(OpsAdminGuard)
@Controller('admin/scheduled-jobs')
export class ScheduledJobsController {
  constructor(
    private readonly jobs: ScheduledJobRuns,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listScheduledJobs',
    summary: 'Scheduled jobs with their schedule, last run and next run',
    description: 'Every cron job of the workers: its cron expression (UTC), the start and outcome of its newest run (cron or manual), and its next tick.',
  })
  @ApiOkResponse({ type: [ScheduledJobDto] })
  @ApiErrors(401)
  async list(): Promise<ScheduledJobDto[]> {
    return this.jobs.list();
  }

  @Post(':name/run')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'runScheduledJob',
    summary: 'Run a scheduled job now, as its cron tick would',
    description:
      'A worker runs the same code as the cron tick, under the same rule that one run of a job is in progress at a time in the cluster (a run that finds another one running is `skipped`). ' +
      'Answers 200 with the outcome when the run finishes within 60 s, else 202 with the run id to follow at GET /admin/scheduled-jobs/{name}/runs/{run_id}; the run keeps going.',
  })
  @ApiOkResponse({ type: ScheduledJobRunDto })
  @ApiAcceptedResponse({ type: ScheduledJobAcceptedDto })
  @ApiErrors(401, 404)
  async run(@Param('name') name: string, @Res({ passthrough: true }) res: FastifyReply): Promise<ScheduledJobRunDto | ScheduledJobAcceptedDto> {
    const queued = await this.jobs.start(name, 'ops-api');
    const run = await this.jobs.wait(queued.id, this.config.env.SCHEDULED_JOB_RUN_WAIT_MS);
    if (!FINISHED.includes(run.status)) {
      res.status(HttpStatus.ACCEPTED);
      return { name, run_id: run.id };
    }
    return runDto(run);
  }

  @Get(':name/runs/:runId')
  @ApiOperation({
    operationId: 'getScheduledJobRun',
    summary: 'One run of a scheduled job: status, progress and outcome',
    description: 'Follows a run that POST …/run answered with 202, or any cron run by its id.',
  })
  @ApiOkResponse({ type: ScheduledJobRunDto })
  @ApiErrors(401, 404)
  async get(@Param('name') name: string, @Param('runId') runId: string): Promise<ScheduledJobRunDto> {
    return runDto(await this.jobs.get(runId, name));
  }
}
