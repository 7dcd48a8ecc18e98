import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { raw, selectRows, sql } from '../../../platform/database';
import { currentUnit, unitOnly } from '../../../platform/tenancy';
import { canonicalEventType } from '../../scoring';
import { ExportQueryDto } from '../http/events.dto';

const EXPORT_CHUNK = 5000;
export const EVENT_EXPORT_COLUMNS = ['id', 'lead_id', 'event_type', 'timestamp'];

interface ExportRow {
  event_id: string;
  lead_id: string | null;
  event_type: string;
  occurred_at: Date | string;
}

/** The active OU's events as CSV rows, oldest first, read in keyset pages of (occurred_at, event_id). */
@Injectable()
export class EventsExportQuery {
  constructor(private readonly ds: DataSource) {}

  /** The file name and the rows (the OU is read now, while the request context is there). */
  export(q: ExportQueryDto): { fileName: string; rows: AsyncGenerator<string[][]> } {
    const { unitId } = currentUnit();
    return { fileName: `events-${unitId}.csv`, rows: this.rows(q, unitId) };
  }

  private async *rows(q: ExportQueryDto, unitId: string): AsyncGenerator<string[][]> {
    const scope = unitOnly(undefined, unitId);
    const from = q.start ? sql` AND occurred_at >= ${q.start}::timestamptz` : sql``;
    const until = q.end ? sql` AND occurred_at < ${q.end}::timestamptz` : sql``;
    const ofType = q.event_type ? sql` AND event_type_key = ${canonicalEventType(q.event_type)}` : sql``;
    let afterAt = '-infinity';
    let afterId = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const page = await selectRows<ExportRow>(
        this.ds,
        sql`SELECT event_id, lead_id, event_type, occurred_at FROM lead_events
             WHERE ${scope} AND (occurred_at, event_id) > (${afterAt}::timestamptz, ${afterId}::uuid)${from}${until}${ofType}
             ORDER BY occurred_at, event_id LIMIT ${raw(String(EXPORT_CHUNK))}`,
      );
      if (page.length) yield page.map((r) => [r.event_id, r.lead_id ?? '', r.event_type, new Date(r.occurred_at).toISOString()]);
      if (page.length < EXPORT_CHUNK) return;
      const last = page[page.length - 1];
      afterAt = new Date(last.occurred_at).toISOString();
      afterId = last.event_id;
    }
  }
}
