import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parse } from 'csv-parse';
import type { FastifyRequest as Request } from 'fastify';
import { Clock } from '../../../platform/clock';
import { AppError, ApiErrors, filePart, PlatformErrors } from '../../../platform/http';
import { RequestContext, OuScoped } from '../../../platform/tenancy';
import { ALIAS_KINDS } from '../../leads';
import { QueuedEvent } from '../ingest-job';
import { IngestIntake } from '../ingest-intake.service';
import { ImportAcceptedDto } from './ingest.dto';
import { IngestionErrors } from '../ingestion.errors';

export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;
const CHUNK = 500;
const MAX_REPORTED_ERRORS = 100;

interface RowError {
  row: number;
  field?: string;
  reason: string;
}

/** POST /import: historical events from a CSV file, streamed row by row into the ingest queue. */
@ApiTags('Events')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller()
export class ImportController {
  constructor(
    private readonly intake: IngestIntake,
    private readonly clock: Clock,
  ) {}

  @Post('import')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'importEvents',
    summary: 'Import events from CSV',
    description:
      'CSV with a header row, uploaded as multipart/form-data (part `file`). Required column `event_type`; optional `lead_id`, ' +
      '`timestamp` (RFC 3339), `metadata` (a JSON object), `event_id` and the alias columns `external_id, email, phone, cookie, ' +
      'social`. Each row needs a lead_id or an alias. The file is parsed as a stream and valid rows are queued in chunks as it ' +
      'is read; invalid rows are skipped and reported (`row` is the CSV line). `skip_triggers=true` scores the rows without ' +
      'evaluating triggers.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', maxLength: IMPORT_MAX_BYTES, description: 'CSV file with header row (bytes)' } },
    },
  })
  @ApiQuery({ name: 'skip_triggers', required: false, type: Boolean, description: 'Suppress trigger evaluation for the imported rows (default false)' })
  @ApiAcceptedResponse({ type: ImportAcceptedDto })
  @ApiErrors(400, 401, 403, 413, 503)
  async import(@Req() req: Request, @Query('skip_triggers') skipTriggersRaw?: string): Promise<ImportAcceptedDto> {
    if (skipTriggersRaw !== undefined && !['true', 'false', '1', '0'].includes(skipTriggersRaw)) {
      throw PlatformErrors.error('validation_failed', 'skip_triggers must be true or false', [{ field: 'skip_triggers', reason: 'must be true or false' }]);
    }
    const skipTriggers = skipTriggersRaw === 'true' || skipTriggersRaw === '1';
    const { stream: file } = await filePart(req, IMPORT_MAX_BYTES);
    let truncated = false;
    file.on('limit', () => (truncated = true));
    const parser = file.pipe(
      parse({
        columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
        bom: true,
        skip_empty_lines: true,
        trim: true,
        info: true,
        relax_column_count: true,
      }),
    );
    const errors: RowError[] = [];
    let errorCount = 0;
    let imported = 0;
    let chunk: { row: number; event: QueuedEvent }[] = [];
    let headerChecked = false;
    const receivedAt = this.clock.now();
    const fail = (e: RowError) => {
      errorCount++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
    };
    const flush = async () => {
      if (!chunk.length) return;
      const unknown = await this.intake.unknownLeadIds(chunk.flatMap((c) => (c.event.lead_id ? [c.event.lead_id] : [])));
      const ok = chunk.filter((c) => {
        if (c.event.lead_id && unknown.has(c.event.lead_id)) {
          fail({ row: c.row, field: 'lead_id', reason: `lead ${c.event.lead_id} not found in the active OU` });
          return false;
        }
        return true;
      });
      chunk = [];
      try {
        await this.intake.enqueue(ok.map((c) => c.event));
      } catch (err) {
        if (err instanceof AppError) {
          throw PlatformErrors.error('queue_unavailable', `${imported} rows were queued before the queue failed; the rest were not`, { imported });
        }
        throw err;
      }
      imported += ok.length;
    };
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        if (!headerChecked) {
          headerChecked = true;
          if (!('event_type' in record)) {
            throw IngestionErrors.error('missing_column', 'the CSV header has no event_type column', [{ field: 'event_type', reason: 'column is required' }]);
          }
        }
        const row = info.lines;
        const raw: Record<string, unknown> = { event_type: record.event_type ?? '' };
        if (record.lead_id) raw.lead_id = record.lead_id;
        if (record.timestamp) raw.timestamp = record.timestamp;
        if (record.event_id) raw.event_id = record.event_id;
        if (record.metadata) {
          try {
            raw.metadata = JSON.parse(record.metadata);
          } catch {
            fail({ row, field: 'metadata', reason: 'is not valid JSON' });
            continue;
          }
        }
        const aliases = ALIAS_KINDS.flatMap((kind) => (record[kind] ? [{ alias_kind: kind, raw_value: record[kind] }] : []));
        if (aliases.length) raw.aliases = aliases;
        const checked = this.intake.check(raw, '');
        if (checked.problems.length) {
          for (const p of checked.problems) fail({ row, field: p.field, reason: p.reason });
          continue;
        }
        chunk.push({ row, event: this.intake.toQueued(checked.dto!, { source: 'import', skipTriggers }, receivedAt) });
        if (chunk.length >= CHUNK) await flush();
      }
      await flush();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw IngestionErrors.error('invalid_csv', `the file is not valid CSV: ${(err as Error).message}`, { imported });
    }
    if (truncated)
      throw PlatformErrors.error('payload_too_large', `the file exceeds ${IMPORT_MAX_BYTES} bytes; the first ${imported} rows were queued`, { imported });
    if (!headerChecked)
      throw PlatformErrors.error('validation_failed', 'file: the CSV holds no rows', [
        { field: 'file', reason: 'must hold a header row and at least one row' },
      ]);
    RequestContext.describe({
      verb: 'import',
      entityType: 'event',
      summary: `imported ${imported} event(s) from CSV, ${errorCount} row(s) rejected${skipTriggers ? ', triggers skipped' : ''}`,
    });
    return { message: 'import queued', imported, errors: errorCount, row_errors: errors };
  }
}
