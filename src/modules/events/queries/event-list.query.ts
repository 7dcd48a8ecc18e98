import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { joinSql, selectOne, selectRows, sql, Sql } from '../../../platform/database';
import { PlatformErrors, PageRequest } from '../../../platform/http';
import { unitOnly } from '../../../platform/tenancy';
import { canonicalEventType, parseMetadataQuery, ScoreReader } from '../../scoring';
import { EventDto } from '../http/events.dto';
import { EVENT_COLUMNS, EventRow, toEventView } from './event-views';

export interface EventPage {
  events: EventDto[];
  total: number;
}

/** `metadata ->> key = value` per `key:value` filter, combined by `logic`; 400 for a filter without a colon. */
function metadataFilter(filters: string[], logic: 'and' | 'or'): Sql | null {
  const conditions = filters.map((text) => {
    const q = parseMetadataQuery(text);
    if (!q)
      throw PlatformErrors.error('validation_failed', `metadata filter "${text}" must look like key:value`, [
        { field: 'metadata', reason: 'must look like key:value' },
      ]);
    return sql`metadata ->> ${q.key} = ${q.value}`;
  });
  return conditions.length ? sql`(${joinSql(conditions, logic === 'or' ? ' OR ' : ' AND ')})` : null;
}

/** Pages of the active OU's stored events, newest first: all of them, or one lead's. */
@Injectable()
export class EventListQuery {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
  ) {}

  /** Metadata filters compare `String(metadata[key])` with the value (and/or). */
  async list(page: PageRequest, metadata: string[] = [], logic: 'and' | 'or' = 'and'): Promise<EventPage> {
    const filter = metadataFilter(metadata, logic);
    return this.page(joinSql(filter ? [unitOnly(), filter] : [unitOnly()]), page);
  }

  async ofLead(leadId: string, page: PageRequest, eventType?: string): Promise<EventPage> {
    const lead = await this.reader.lead(leadId);
    const ofType = eventType ? sql` AND event_type_key = ${canonicalEventType(eventType)}` : sql``;
    return this.page(sql`lead_ref = ${lead.id}${ofType}`, page);
  }

  private async page(where: Sql, page: PageRequest): Promise<EventPage> {
    const count = await selectOne<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM lead_events WHERE ${where}`);
    const rows = await selectRows<EventRow>(
      this.ds,
      sql`SELECT ${EVENT_COLUMNS} FROM lead_events WHERE ${where} ORDER BY occurred_at DESC, event_id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    );
    return { events: rows.map(toEventView), total: count!.n };
  }
}
