import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { unitOnly, unitScope } from '../../../platform/tenancy';
import { canonicalEventType } from '../../scoring';
import { EventTypeErrors } from '../event-types.errors';
import { EventTypeDeletePreviewDto, EventTypePropertiesDto, OuEventTypeDto } from '../http/event-types.dto';
import { byDisplayName, EventTypeRow, toOuEventTypeView } from './event-type-views';

const MAX_NAME = 200;

/**
 * Event types of the active OU. A type is known in an OU once an event of it was stored there, a rule of the
 * OU references it (auto-registered with count 0) or its OU settings were saved. Everything is keyed by the
 * canonical key, so "Page View" and "page_view" are one row.
 */
@Injectable()
export class EventTypesQueries {
  constructor(private readonly ds: DataSource) {}

  /** The canonical key of a path parameter; 400 naming `eventType` when it has no letters or digits. */
  keyOf(name: string): string {
    const key = canonicalEventType(name ?? '');
    if (!key || name.length > MAX_NAME) {
      throw PlatformErrors.error('validation_failed', 'eventType must name an event type (1–200 characters with a letter or digit)', [
        { field: 'eventType', reason: 'must be 1–200 characters with a letter or digit' },
      ]);
    }
    return key;
  }

  list(): Promise<OuEventTypeDto[]> {
    return this.rows(null);
  }

  /** Names of the OU's types that are not hidden there, A–Z. */
  async visibleNames(): Promise<string[]> {
    return (await this.rows(null)).filter((r) => !r.hidden).map((r) => r.name);
  }

  /** The type's row, or 404 `event_type_not_found` when it is unknown in the active OU. */
  async get(key: string): Promise<OuEventTypeDto> {
    const [row] = await this.rows(key);
    if (!row) throw EventTypeErrors.notFound('event_type_not_found', 'event type');
    return row;
  }

  /** Distinct metadata keys of the type in the OU. */
  async properties(key: string): Promise<EventTypePropertiesDto> {
    const type = await this.get(key);
    const rows = await selectRows<{ property: string }>(
      this.ds,
      sql`SELECT property FROM event_type_properties WHERE ${unitOnly()} AND key = ${key} ORDER BY property`,
    );
    return { event_type: type.name, properties: rows.map((r) => r.property) };
  }

  /** What deleting the type's events would delete (409 for a protected type). */
  async deletePreview(key: string): Promise<EventTypeDeletePreviewDto> {
    await this.deletable(key);
    const row = await selectOne<EventTypeDeletePreviewDto>(
      this.ds,
      sql`SELECT (SELECT count(*) FROM lead_events WHERE ${unitOnly()} AND event_type_key = ${key})::int AS events_count,
                 (SELECT count(*) FROM event_scores s JOIN lead_events e ON e.event_id = s.event_id
                   WHERE ${unitOnly('e')} AND e.event_type_key = ${key} AND ${unitOnly('s')})::int AS event_scores_count`,
    );
    return { events_count: row!.events_count, event_scores_count: row!.event_scores_count };
  }

  /** The type, if its events may be deleted by type; 409 `protected_event_type` for a system type. */
  async deletable(key: string): Promise<OuEventTypeDto> {
    const type = await this.get(key);
    if (type.protected) throw EventTypeErrors.error('protected_event_type', `events of the system type '${type.name}' cannot be deleted`);
    return type;
  }

  /** All types known in the OU (or the one with `key`), A–Z by display name. */
  private async rows(key: string | null): Promise<OuEventTypeDto[]> {
    const ofKey = key === null ? sql`` : sql` AND k.key = ${key}`;
    const rows = await selectRows<EventTypeRow>(
      this.ds,
      sql`WITH k AS (
            SELECT key FROM event_type_stats WHERE ${unitScope()}
            UNION SELECT event_type_key FROM rules WHERE ${unitScope()} AND event_type_key IS NOT NULL
            UNION SELECT key FROM event_type_settings WHERE ${unitScope()})
          SELECT k.key, coalesce(s.hidden, false) AS hidden, coalesce(s.max_processing_scope, 'activate') AS scope,
                 coalesce(st.event_count, 0)::bigint AS n, st.first_seen, st.last_seen
            FROM k
            LEFT JOIN event_type_stats st ON ${unitOnly('st')} AND st.key = k.key
            LEFT JOIN event_type_settings s ON ${unitOnly('s')} AND s.key = k.key
           WHERE k.key <> ''${ofKey}`,
    );
    return rows.map(toOuEventTypeView).sort(byDisplayName);
  }
}
