import { StoredEvent } from './event-store.types';

/** A row of event_store_events as pg returns it (bigints and xid8 as text). */
export interface StoredEventRow {
  global_position: string | number;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: string | number;
  event_type: string;
  payload: Record<string, unknown>;
  metadata: StoredEvent['metadata'];
  occurred_at: Date | string;
  recorded_at: Date | string;
}

export function toStoredEvent(r: StoredEventRow): StoredEvent {
  return {
    globalPosition: Number(r.global_position),
    transactionId: String(r.transaction_id),
    eventId: r.event_id,
    streamId: r.stream_id,
    streamType: r.stream_type,
    streamVersion: Number(r.stream_version),
    eventType: r.event_type,
    payload: r.payload,
    metadata: r.metadata,
    occurredAt: new Date(r.occurred_at),
    recordedAt: new Date(r.recorded_at),
  };
}
