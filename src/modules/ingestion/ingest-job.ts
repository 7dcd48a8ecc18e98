import { nameUuid } from '../../platform/event-store';
import type { LeadActivity } from '../leads';

export const INGEST_JOB = 'events';

/** One accepted event as it travels through the ingest queue: the activity the Lead aggregate records. */
export type QueuedEvent = LeadActivity;

export interface IngestJobData {
  events: QueuedEvent[];
}

/**
 * A name-based (RFC 9562 version 5 layout) UUID for a client event id within an OU: the same client id always
 * maps to the same stored event, so a resend is recognised as one.
 */
export function clientEventUuid(unitId: string, clientEventId: string): string {
  return nameUuid(`kenbun:event:${unitId}:${clientEventId}`);
}
