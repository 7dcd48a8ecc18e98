import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { Condition, canonicalEventType, metadataFilterMatches } from '../scoring';

/** Stored events read per round trip by the preview (keyset over the OU's time index). */
const PREVIEW_CHUNK = 5000;

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
    const { unit_id } = tenantKey();
    const filter = { id: 'preview', event_type: eventType ?? '', conditions, enabled: true };
    const key = canonicalEventType(eventType ?? '') || null;
    let count = 0;
    // the cursor keeps PostgreSQL's microseconds (a JS Date would round them and skip or repeat rows)
    let after: { at: string; id: string } | null = null;
    for (;;) {
      const rows: { event_id: string; at: string; event_type: string; metadata: Record<string, unknown> }[] = await this.ds.query(
        `SELECT event_id, occurred_at::text AS at, event_type, metadata FROM lead_events
          WHERE unit_id = $1 AND ($2::text IS NULL OR event_type_key = $2)
            AND ($3::timestamptz IS NULL OR (occurred_at, event_id) < ($3::timestamptz, $4::uuid))
          ORDER BY occurred_at DESC, event_id DESC LIMIT $5`,
        [unit_id, key, after?.at ?? null, after?.id ?? null, PREVIEW_CHUNK],
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
    const { unit_id } = tenantKey();
    const rows: { filter_id: string; n: string }[] = await this.ds.query(
      `SELECT filter_id, count(*) AS n FROM lead_events
        WHERE unit_id = $1 AND suppression = 'metadata_filter' AND filter_id = ANY($2::text[]) GROUP BY filter_id`,
      [unit_id, ids],
    );
    return new Map(rows.map((r) => [r.filter_id, Number(r.n)]));
  }
}
