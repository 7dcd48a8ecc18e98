import { raw } from '../../../platform/database';
import { EventDto } from '../http/events.dto';

/** The `lead_events` columns every event read selects (see EventRow). */
export const EVENT_COLUMNS = raw(
  'event_id, lead_id, lead_ref, event_type, occurred_at, received_at, recorded_at, metadata, channel, suppression, filter_id, client_event_id, original_lead_id',
);

/** A `lead_events` row as EVENT_COLUMNS selects it. */
export interface EventRow {
  event_id: string;
  lead_id: string | null;
  lead_ref: string | null;
  event_type: string;
  occurred_at: Date | string;
  received_at: Date | string;
  recorded_at: Date | string;
  metadata: Record<string, unknown> | null;
  channel: string;
  suppression: string | null;
  filter_id: string | null;
  client_event_id: string | null;
  original_lead_id: string | null;
}

export function toEventView(row: EventRow): EventDto {
  return {
    id: row.event_id,
    lead_id: row.lead_id,
    event_type: row.event_type,
    timestamp: new Date(row.occurred_at).toISOString(),
    created_at: new Date(row.received_at).toISOString(),
    metadata: row.metadata ?? {},
    channel: row.channel,
    suppressed: row.suppression,
    client_event_id: row.client_event_id,
    original_lead_id: row.original_lead_id ?? null,
  };
}
