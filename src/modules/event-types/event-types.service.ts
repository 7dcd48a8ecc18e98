import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock';
import { execute, selectRows, sql } from '../../platform/database';
import { RequestContext, currentUnit, unitOnly } from '../../platform/tenancy';
import { ProcessingScope } from '../leads';
import { EventsService } from '../events';
import { EventTypeDeleteResultDto, OuEventTypeDto } from './http/event-types.dto';
import { EventTypesQueries } from './queries/event-types.queries';

/** Events handed to one event-sourced delete (one transaction over the leads they belong to). */
const DELETE_CHUNK = 500;

interface DeletedEventRow {
  event_id: string;
  lead_ref: string | null;
  suppression: string | null;
  scores: number;
}

/** Changes to the active OU's event types: their settings, and deleting every event of a type. */
@Injectable()
export class EventTypesService {
  constructor(
    private readonly ds: DataSource,
    private readonly events: EventsService,
    private readonly queries: EventTypesQueries,
    private readonly clock: Clock,
  ) {}

  /** Upsert of the OU's settings; a type not seen yet is registered (so it can be hidden before it arrives). */
  async update(key: string, changes: { hidden?: boolean; max_processing_scope?: ProcessingScope }): Promise<OuEventTypeDto> {
    const { orgId, unitId } = currentUnit();
    const hidden = changes.hidden ?? null;
    const scope = changes.max_processing_scope ?? null;
    const by = RequestContext.actor();
    const at = this.clock.now();
    await execute(
      this.ds,
      sql`INSERT INTO event_type_settings (unit_id, key, org_id, hidden, max_processing_scope, updated_by, updated_at)
          VALUES (${unitId}, ${key}, ${orgId}, coalesce(${hidden}::boolean, false), coalesce(${scope}::text, 'activate'), ${by}, ${at})
          ON CONFLICT (unit_id, key) DO UPDATE SET hidden = coalesce(${hidden}::boolean, event_type_settings.hidden),
                 max_processing_scope = coalesce(${scope}::text, event_type_settings.max_processing_scope), updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    );
    return this.queries.get(key);
  }

  /**
   * Deletes every stored event of the type in the active OU through the event-sourced path (each lead's
   * stream), so the leads' scores drop the events' points; leads and accounts are kept. The read models follow
   * asynchronously; the answer reports what was deleted.
   */
  async deleteEvents(key: string): Promise<EventTypeDeleteResultDto> {
    await this.queries.deletable(key);
    const rows = await selectRows<DeletedEventRow>(
      this.ds,
      sql`SELECT e.event_id, e.lead_ref, e.suppression, (SELECT count(*) FROM event_scores s WHERE s.event_id = e.event_id AND ${unitOnly('s')})::int AS scores
            FROM lead_events e WHERE ${unitOnly('e')} AND e.event_type_key = ${key} ORDER BY e.lead_ref, e.event_id`,
    );
    for (let i = 0; i < rows.length; i += DELETE_CHUNK) {
      const chunk = rows.slice(i, i + DELETE_CHUNK).map(({ event_id, lead_ref, suppression }) => ({ event_id, lead_ref, suppression }));
      await this.events.deleteRows(chunk, 'event_type_delete');
    }
    return { events_deleted: rows.length, event_scores_deleted: rows.reduce((n, r) => n + r.scores, 0) };
  }
}
