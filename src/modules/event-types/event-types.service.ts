import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppError } from '../../platform/http/app-error';
import { RequestContext } from '../../platform/tenancy/request-context';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { ProcessingScope } from '../leads';
import { canonicalEventType, eventTypeDisplayName } from '../scoring/domain/event-type';
import { EventsService } from '../events/events.service';
import { isProtectedEventType } from './domain/protected-event-types';
import { EventTypeDeletePreviewDto, EventTypeDeleteResultDto, EventTypePropertiesDto, OuEventTypeDto } from './http/event-types.dto';

const MAX_NAME = 200;
/** Events handed to one event-sourced delete (one transaction over the leads they belong to). */
const DELETE_CHUNK = 500;

/**
 * Event types of the active OU. A type is known in an OU once an event of it was stored there, a rule of the
 * OU references it (ET-10: auto-registered with count 0) or its OU settings were saved. Everything is keyed by
 * the canonical key, so "Page View" and "page_view" are one row.
 */
@Injectable()
export class EventTypesService {
  constructor(private readonly ds: DataSource, private readonly events: EventsService, private readonly clock: Clock) {}

  /** The canonical key of a path parameter; 400 naming `eventType` when it has no letters or digits. */
  keyOf(raw: string): string {
    const key = canonicalEventType(raw ?? '');
    if (!key || raw.length > MAX_NAME) {
      throw AppError.badRequest('validation_failed', 'eventType must name an event type (1–200 characters with a letter or digit)', [
        { field: 'eventType', reason: 'must be 1–200 characters with a letter or digit' },
      ]);
    }
    return key;
  }

  async list(): Promise<OuEventTypeDto[]> {
    return this.rows(null);
  }

  /** ET-1: names of the OU's types that are not hidden there, A–Z. */
  async visibleNames(): Promise<string[]> {
    return (await this.rows(null)).filter((r) => !r.hidden).map((r) => r.name);
  }

  /** The type's row, or 404 `event_type_not_found` when it is unknown in the active OU. */
  async get(key: string): Promise<OuEventTypeDto> {
    const [row] = await this.rows(key);
    if (!row) throw AppError.notFound('event type', 'event_type_not_found');
    return row;
  }

  /** ET-5: distinct metadata keys of the type in the OU. */
  async properties(key: string): Promise<EventTypePropertiesDto> {
    const type = await this.get(key);
    const { unit_id } = tenantKey();
    const rows: { property: string }[] = await this.ds.query(`SELECT property FROM event_type_properties WHERE unit_id = $1 AND key = $2 ORDER BY property`, [unit_id, key]);
    return { event_type: type.name, properties: rows.map((r) => r.property) };
  }

  /** ET-3: upsert of the OU's settings; a type not seen yet is registered (so it can be hidden before it arrives). */
  async update(key: string, changes: { hidden?: boolean; max_processing_scope?: ProcessingScope }): Promise<OuEventTypeDto> {
    const { org_id, unit_id } = tenantKey();
    await this.ds.query(
      `INSERT INTO event_type_settings (unit_id, key, org_id, hidden, max_processing_scope, updated_by, updated_at)
       VALUES ($1, $2, $3, coalesce($4::boolean, false), coalesce($5::text, 'activate'), $6, $7)
       ON CONFLICT (unit_id, key) DO UPDATE SET hidden = coalesce($4::boolean, event_type_settings.hidden),
              max_processing_scope = coalesce($5::text, event_type_settings.max_processing_scope), updated_by = $6, updated_at = $7`,
      [unit_id, key, org_id, changes.hidden ?? null, changes.max_processing_scope ?? null, RequestContext.actor(), this.clock.now()],
    );
    return this.get(key);
  }

  /** ET-6 dry run. */
  async deletePreview(key: string): Promise<EventTypeDeletePreviewDto> {
    await this.deletable(key);
    const { unit_id } = tenantKey();
    const [row] = await this.ds.query(
      `SELECT (SELECT count(*) FROM lead_events WHERE unit_id = $1 AND event_type_key = $2)::int AS events_count,
              (SELECT count(*) FROM event_scores s JOIN lead_events e ON e.event_id = s.event_id
                WHERE e.unit_id = $1 AND e.event_type_key = $2 AND s.unit_id = $1)::int AS event_scores_count`,
      [unit_id, key],
    );
    return { events_count: row.events_count, event_scores_count: row.event_scores_count };
  }

  /**
   * ET-6: deletes every stored event of the type in the active OU through the event-sourced path (each lead's
   * stream), so the leads' scores drop the events' points; leads and accounts are kept. The read models follow
   * asynchronously; the answer reports what was deleted.
   */
  async deleteEvents(key: string): Promise<EventTypeDeleteResultDto> {
    await this.deletable(key);
    const { unit_id } = tenantKey();
    const rows: { event_id: string; lead_ref: string | null; suppression: string | null; scores: number }[] = await this.ds.query(
      `SELECT e.event_id, e.lead_ref, e.suppression, (SELECT count(*) FROM event_scores s WHERE s.event_id = e.event_id AND s.unit_id = $1)::int AS scores
         FROM lead_events e WHERE e.unit_id = $1 AND e.event_type_key = $2 ORDER BY e.lead_ref, e.event_id`,
      [unit_id, key],
    );
    for (let i = 0; i < rows.length; i += DELETE_CHUNK) {
      const chunk = rows.slice(i, i + DELETE_CHUNK).map(({ event_id, lead_ref, suppression }) => ({ event_id, lead_ref, suppression }));
      await this.events.deleteRows(chunk, 'event_type_delete');
    }
    return { events_deleted: rows.length, event_scores_deleted: rows.reduce((n, r) => n + r.scores, 0) };
  }

  private async deletable(key: string): Promise<OuEventTypeDto> {
    const type = await this.get(key);
    if (type.protected) throw AppError.conflict('protected_event_type', `events of the system type '${type.name}' cannot be deleted`);
    return type;
  }

  /** All types known in the OU (or the one with `key`), A–Z by display name. */
  private async rows(key: string | null): Promise<OuEventTypeDto[]> {
    const { org_id, unit_id } = tenantKey();
    const rows: any[] = await this.ds.query(
      `WITH k AS (
         SELECT key FROM event_type_stats WHERE unit_id = $1 AND org_id = $2
         UNION SELECT event_type_key FROM rules WHERE unit_id = $1 AND org_id = $2
         UNION SELECT key FROM event_type_settings WHERE unit_id = $1 AND org_id = $2)
       SELECT k.key, coalesce(s.hidden, false) AS hidden, coalesce(s.max_processing_scope, 'activate') AS scope,
              coalesce(st.event_count, 0)::bigint AS n, st.first_seen, st.last_seen
         FROM k
         LEFT JOIN event_type_stats st ON st.unit_id = $1 AND st.key = k.key
         LEFT JOIN event_type_settings s ON s.unit_id = $1 AND s.key = k.key
        WHERE k.key <> '' AND ($3::text IS NULL OR k.key = $3)`,
      [unit_id, org_id, key],
    );
    return rows
      .map((r): OuEventTypeDto => {
        const isProtected = isProtectedEventType(r.key);
        return {
          name: eventTypeDisplayName(r.key),
          key: r.key,
          hidden: r.hidden,
          max_processing_scope: r.scope,
          ou_event_count: Number(r.n),
          first_seen: r.first_seen ? new Date(r.first_seen).toISOString() : null,
          last_seen: r.last_seen ? new Date(r.last_seen).toISOString() : null,
          protected: isProtected,
          deletable: !isProtected,
        };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : 1));
  }
}
