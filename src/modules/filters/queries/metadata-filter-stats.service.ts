import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { Condition, canonicalEventType, metadataFilterMatches } from '../../scoring/domain';

/** Stored events read per round trip by the preview (keyset over the OU's time index). */
const PREVIEW_CHUNK = 5000;

interface StoredEventRow {
  event_id: string;
  at: string;
  event_type: string;
  metadata: Record<string, unknown>;
}

/** Read-side numbers about metadata filters: the dry-run count (MF-6) and what each filter suppressed (MF-7). */
@Injectable()
export class MetadataFilterStats {
  constructor(private readonly ds: DataSource) {}

  /**
   * MF-6: how many of the active OU's stored events a filter with these conditions would suppress. Every
   * stored event counts (whatever it was or was not suppressed by), evaluated by the same domain function as
   * the live pipeline, streamed in chunks so memory stays flat. Nothing is persisted.
   */
  async previewCount(eventType: string | undefined, conditions: Condition[]): Promise<number> {
    const scope = unitScope();
    const filter = { id: 'preview', event_type: eventType ?? '', conditions, enabled: true };
    const key = canonicalEventType(eventType ?? '') || null;
    let count = 0;
    // the cursor keeps PostgreSQL's microseconds (a JS Date would round them and skip or repeat rows)
    let after: { at: string; id: string } | null = null;
    for (;;) {
      const rows: StoredEventRow[] = await selectRows<StoredEventRow>(
        this.ds,
        sql`SELECT event_id, occurred_at::text AS at, event_type, metadata FROM lead_events
             WHERE ${scope} AND (${key}::text IS NULL OR event_type_key = ${key})
               AND (${after?.at ?? null}::timestamptz IS NULL OR (occurred_at, event_id) < (${after?.at ?? null}::timestamptz, ${after?.id ?? null}::uuid))
             ORDER BY occurred_at DESC, event_id DESC LIMIT ${PREVIEW_CHUNK}`,
      );
      for (const r of rows) if (metadataFilterMatches(filter, { event_type: r.event_type, metadata: r.metadata })) count++;
      if (rows.length < PREVIEW_CHUNK) return count;
      const last = rows[rows.length - 1];
      after = { at: last.at, id: last.event_id };
    }
  }

  /** MF-7 (per filter): stored events of the OU that each filter suppressed, counted on read. */
  async suppressedCounts(ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await selectRows<{ filter_id: string; n: string }>(
      this.ds,
      sql`SELECT filter_id, count(*) AS n FROM lead_events
           WHERE ${unitScope()} AND suppression = 'metadata_filter' AND filter_id = ANY(${ids}::text[]) GROUP BY filter_id`,
    );
    return new Map(rows.map((r) => [r.filter_id, Number(r.n)]));
  }
}
