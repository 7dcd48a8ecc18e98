import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { ApiErrors, pageOf, pageRequest } from '../../../platform/http';
import { OuScoped } from '../../../platform/tenancy';
import { LEAD_IMPORT_MAX_BYTES } from '../domain/csv-detection';
import { LeadImportJobs } from '../lead-import-jobs.service';
import { LeadImportUploads } from '../lead-import-uploads';
import { ImportJobDto, ImportJobListDto, ImportJobsQueryDto, ImportPreviewDto, StartImportDto } from './lead-import.dto';

/** LIMP-1/2: bulk lead CSV import — upload and preview, start, follow the job. */
@ApiTags('Leads')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('leads/import')
export class LeadImportController {
  constructor(
    private readonly uploads: LeadImportUploads,
    private readonly jobs: LeadImportJobs,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'previewLeadImport',
    summary: 'Upload a lead CSV and preview it',
    description:
      'multipart/form-data with the CSV in part `file` (UTF-8, comma-separated, header row first, at most 10 MB). The upload is ' +
      'streamed and stored for one hour under the returned `file_id` (pass it to POST /leads/import/start). Answers the header, ' +
      'the first 5 rows keyed by header, the number of data rows and the columns that look like e-mail addresses or phone ' +
      'numbers (by header name, or because every sample value looks like one). 415 when the part is declared as a non-CSV ' +
      'type (accepted: text/csv, text/plain, application/csv, application/vnd.ms-excel, application/octet-stream and the ' +
      'x-csv variants) or its bytes are binary (NUL bytes; ZIP/xlsx, xls, PDF, image or gzip signatures); 413 over 10 MB; 400 ' +
      'when the part is missing, the CSV does not parse, holds no data row, or has a blank or repeated column name.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', maxLength: LEAD_IMPORT_MAX_BYTES, description: 'CSV file with header row (bytes)' } },
    },
  })
  @ApiOkResponse({ type: ImportPreviewDto })
  @ApiErrors(400, 401, 403, 413, 415)
  preview(@Req() req: Request): Promise<ImportPreviewDto> {
    return this.uploads.receive(req);
  }

  @Post('start')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startLeadImport',
    summary: 'Start a lead import from an uploaded CSV',
    description:
      'Queues an import of a previewed file. Each row finds its lead by `primary_identifier` (an alias of that kind — e-mails ' +
      'compared case-insensitively, values trimmed — or, with kind `lead_id`, the public lead id) or creates one; ' +
      '`field_mappings` columns are merged into the lead’s metadata without a timeline entry (empty cells change nothing; ' +
      'values are kept as text), `alias_mappings` columns are attached as aliases. An alias owned by another lead is never ' +
      'moved (no merge): the row is still applied and the alias is reported in `errors`. Rows with an empty primary identifier ' +
      'are skipped and reported. Running the same file again updates the leads it created instead of duplicating them. ' +
      'Progress at GET /leads/import/jobs/{jobId}. 404 for an unknown file id, 410 once the file’s hour is over, 400 naming ' +
      'the field for a column that is not in the file’s header.',
  })
  @ApiAcceptedResponse({ type: ImportJobDto })
  @ApiErrors(400, 401, 403, 404, 410, 503)
  start(@Body() body: StartImportDto): Promise<ImportJobDto> {
    return this.jobs.start(body);
  }

  @Get('jobs')
  @ApiOperation({ operationId: 'listLeadImportJobs', summary: 'List lead import jobs', description: 'Import runs of the active OU, newest first.' })
  @ApiOkResponse({ type: ImportJobListDto })
  @ApiErrors(400, 401)
  async list(@Query() query: ImportJobsQueryDto): Promise<ImportJobListDto> {
    const page = pageRequest(query);
    const { jobs, total } = await this.jobs.list(page);
    return pageOf('jobs', jobs, total, page);
  }

  @Get('jobs/:jobId')
  @ApiOperation({
    operationId: 'getLeadImportJob',
    summary: 'Get a lead import job',
    description:
      'Status and counters of one import run: `processed_rows` = `created_leads` + `updated_leads` + rows skipped for an empty ' +
      'or unusable primary identifier; `errors` lists the first 100 problems (`row` is the line of the CSV file), `error_count` all of them.',
  })
  @ApiOkResponse({ type: ImportJobDto })
  @ApiErrors(400, 401, 404)
  get(@Param('jobId') jobId: string): Promise<ImportJobDto> {
    return this.jobs.get(jobId);
  }
}
