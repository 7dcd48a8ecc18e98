import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../event-store/event-store.types';
import { Projection, ReadModelProjection } from './projection';

/**
 * Per-stream summary (event count, last version, last event): what admin tools and health checks read
 * instead of scanning streams. Stream versions are contiguous from 1, so the count is the highest version
 * seen: applying a batch twice changes nothing.
 */
@ReadModelProjection()
@Injectable()
export class StreamSummariesProjection implements Projection {
  readonly name = 'stream_summaries';
  readonly tables = ['stream_summaries'];
  /** stream, type, version, time and tenant: every event of the store passes here, its body is not needed */
  readonly readsPayload = false;

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const latest = new Map<string, StoredEvent>();
    for (const e of events) {
      const seen = latest.get(e.streamId);
      if (!seen || seen.streamVersion < e.streamVersion) latest.set(e.streamId, e);
    }
    const rows = [...latest.values()].map((e) => ({
      stream_id: e.streamId,
      stream_type: e.streamType,
      org_id: e.metadata.org_id ?? null,
      unit_id: e.metadata.unit_id ?? null,
      last_version: e.streamVersion,
      last_event_type: e.eventType,
      last_event_at: e.occurredAt.toISOString(),
    }));
    await m.query(
      `INSERT INTO stream_summaries AS s (stream_id, stream_type, org_id, unit_id, event_count, last_version, last_event_type, last_event_at)
       SELECT x.stream_id, x.stream_type, x.org_id, x.unit_id, x.last_version, x.last_version, x.last_event_type, x.last_event_at
         FROM jsonb_to_recordset($1::jsonb) AS x(stream_id text, stream_type text, org_id text, unit_id text,
              last_version int, last_event_type text, last_event_at timestamptz)
       ON CONFLICT (stream_id) DO UPDATE
          SET event_count = excluded.last_version, last_version = excluded.last_version,
              last_event_type = excluded.last_event_type, last_event_at = excluded.last_event_at
        WHERE s.last_version < excluded.last_version`,
      [JSON.stringify(rows)],
    );
  }
}
