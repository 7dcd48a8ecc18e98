import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import type { FastifyRequest as Request } from 'fastify';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { Clock } from '../../platform/clock';
import { filePart, FilePart, PlatformErrors } from '../../platform/http';
import { tenantKey, RequestContext } from '../../platform/tenancy';
import { contentTypeProblem, detectIdentifierColumns, headerProblems, LEAD_IMPORT_MAX_BYTES, rowObject, sniffProblem } from './domain/csv-detection';
import { ImportPreviewDto } from './http/lead-import.dto';
import { FILE_CHUNK_BYTES, LeadImportFiles } from './lead-import-files';
import { IngestionErrors } from '../ingestion';

/** How the worker parses a stored file: the same options as the preview, so both see the same rows. */
export const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true } as const;
const SAMPLE_ROWS = 5;
const SNIFF_BYTES = 8;

/**
 * LIMP-1: receives an upload as a stream, stores its bytes in chunks while parsing it once (header, first rows,
 * row count), and answers the preview. Rejections: not a CSV by declared type or first bytes → 415; more than
 * 10 MB → 413; unparseable, empty or with a blank/repeated column name → 400. A rejected upload stores nothing.
 */
@Injectable()
export class LeadImportUploads {
  constructor(
    private readonly files: LeadImportFiles,
    private readonly clock: Clock,
  ) {}

  async receive(req: Request): Promise<ImportPreviewDto> {
    const part = await filePart(req, LEAD_IMPORT_MAX_BYTES);
    const typeProblem = contentTypeProblem(part.mimeType);
    if (typeProblem) {
      part.stream.resume();
      await finished(part.stream).catch(() => undefined);
      throw PlatformErrors.error('unsupported_media_type', `${typeProblem}; upload a .csv file`);
    }
    const { org_id, unit_id } = tenantKey();
    const id = `preview_${randomBytes(16).toString('hex')}`;
    await this.files.begin({
      id,
      org_id,
      unit_id,
      file_name: part.filename.slice(0, 255),
      content_type: part.mimeType || null,
      created_by: RequestContext.actor(),
      now: this.clock.now(),
    });
    try {
      return await this.store(id, part);
    } catch (err) {
      part.stream.resume();
      await this.files.discard(id);
      throw err;
    }
  }

  private async store(id: string, part: FilePart): Promise<ImportPreviewDto> {
    let truncated = false;
    part.stream.on('limit', () => (truncated = true));
    const parser = parse(CSV_OPTIONS);
    let parseError: Error | null = null;
    const seen: { headers: string[] | null } = { headers: null };
    const samples: Record<string, string>[] = [];
    let rows = 0;
    parser.on('data', (cells: string[]) => {
      if (seen.headers === null) seen.headers = cells;
      else {
        rows++;
        if (samples.length < SAMPLE_ROWS) samples.push(rowObject(seen.headers, cells));
      }
    });
    parser.on('error', (err) => (parseError ??= err));

    let head = Buffer.alloc(0);
    let sniffed = false;
    let mediaProblem: string | null = null;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let seq = 0;
    let size = 0;
    const flush = async () => {
      if (!pendingBytes) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await this.files.appendChunk(id, seq++, data);
    };
    for await (const buf of part.stream as AsyncIterable<Buffer>) {
      if (mediaProblem || parseError || truncated) continue; // drain the rest of the request
      if (!sniffed) {
        head = Buffer.concat([head, buf]);
        if (head.length >= SNIFF_BYTES) {
          sniffed = true;
          mediaProblem = sniffProblem(head);
        }
      }
      if (!mediaProblem && buf.includes(0)) mediaProblem = sniffProblem(Buffer.from([0]));
      if (mediaProblem) continue;
      size += buf.length;
      parser.write(buf);
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes >= FILE_CHUNK_BYTES) await flush();
    }
    if (!sniffed && !mediaProblem) mediaProblem = sniffProblem(head);
    if (mediaProblem) throw PlatformErrors.error('unsupported_media_type', `${mediaProblem}; upload a .csv file`);
    if (truncated) throw PlatformErrors.error('payload_too_large', `the file exceeds ${LEAD_IMPORT_MAX_BYTES} bytes (10 MB)`);
    if (!parseError) {
      parser.end();
      await finished(parser).catch((err: Error) => (parseError ??= err));
    }
    if (parseError)
      throw IngestionErrors.error('invalid_csv', `the file is not valid CSV: ${(parseError as Error).message}`, [
        { field: 'file', reason: 'is not valid CSV' },
      ]);
    const header = seen.headers;
    if (header === null || rows === 0) {
      throw PlatformErrors.error('validation_failed', 'file: the CSV must hold a header row and at least one data row', [
        { field: 'file', reason: 'must hold a header row and at least one data row' },
      ]);
    }
    const problems = headerProblems(header);
    if (problems.length)
      throw IngestionErrors.error(
        'invalid_csv',
        `the header row is not usable: ${problems.join('; ')}`,
        problems.map((reason) => ({ field: 'file', reason })),
      );
    await flush();
    const expires = await this.files.complete(id, { headers: header, row_count: rows, size_bytes: size, now: this.clock.now() });
    RequestContext.describe({
      verb: 'upload',
      entityType: 'lead_import_file',
      entityId: id,
      summary: `uploaded '${part.filename}' for a lead import (${rows} row(s), ${header.length} column(s))`,
    });
    return {
      file_id: id,
      file_name: part.filename,
      headers: header,
      sample_rows: samples,
      row_count: rows,
      auto_detected_identifiers: detectIdentifierColumns(header, samples),
      expires_at: expires.toISOString(),
    };
  }
}
