import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { ProjectionRegistry } from '../../../platform/projections';
import { SuppressedEventStreamType } from '../domain/lead-events';
import { execute, selectOne, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';

export interface ErasureResult {
  deletion_id: string;
  status: 'completed' | 'skipped';
  events: number;
}

/**
 * LEAD-18: erases a lead whose deletion was requested — its Lead stream (events and snapshot), the
 * metadata-suppressed events that name it (their own streams), and every read row about it: identity,
 * aliases, events, per-event and per-lead scores, surge state and firings (with their delivery records),
 * stream summaries; event type counts drop by the erased events. Irreversible by design: nothing is kept
 * but the `lead_deletions` row, which names the lead only by its public id.
 *
 * One transaction, so a crash erases nothing and the retried job starts over. Races:
 * - Async projections: the transaction first locks every async projection's checkpoint row (FOR UPDATE,
 *   waiting), which waits for a batch in flight to commit and keeps new batches out until the erasure
 *   commits. Rows a batch wrote before are erased with the rest; events not yet projected are gone from the
 *   store before any batch can read them. Nothing can re-insert a row afterwards.
 * - Writers (ingest pipeline, API commands, score-now, event deletion) lock the lead FOR KEY SHARE and only
 *   while it is live (lockLiveLeads). The `FOR UPDATE` below waits for those that locked it before the
 *   deletion was requested; their events are committed by then and erased here. Later writers see the lead
 *   hidden (or gone) and leave it alone.
 * Lock order (checkpoints, then the lead) matches the projections' (checkpoint, then lead rows), so the two
 * never deadlock.
 */
@Injectable()
export class LeadEraser {
  private readonly log = new Logger('LeadDeletion');

  constructor(
    private readonly ds: DataSource,
    private readonly registry: ProjectionRegistry,
    private readonly clock: Clock,
  ) {}

  async erase(deletionId: string): Promise<ErasureResult> {
    const [deletion] = await this.ds.query(`SELECT * FROM lead_deletions WHERE id = $1`, [deletionId]);
    if (!deletion || deletion.status === 'completed') return { deletion_id: deletionId, status: 'skipped', events: 0 };
    await this.ds.query(`UPDATE lead_deletions SET status = 'in_progress', error = NULL WHERE id = $1 AND status <> 'completed'`, [deletionId]);
    const names = this.registry
      .all()
      .filter((p) => p.mode !== 'inline')
      .map((p) => p.name)
      .sort();
    const events = await this.ds.transaction(async (m) => {
      if (names.length) {
        await m.query(`INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [names]);
        await m.query(`SELECT name FROM projection_checkpoints WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE`, [names]);
      }
      const lead = await selectOne<{ id: string }>(
        m,
        sql`SELECT id FROM leads WHERE ${unitOnly(undefined, deletion.unit_id)} AND lead_id = ${deletion.lead_id} AND status = 'deleting' FOR UPDATE`,
      );
      const erased = lead ? await this.eraseLead(lead.id, m) : 0;
      await m.query(`UPDATE lead_deletions SET status = 'completed', completed_at = $2, error = NULL WHERE id = $1`, [deletionId, this.clock.now()]);
      return erased;
    });
    this.log.log({ msg: 'lead erased', deletion_id: deletionId, unit_id: deletion.unit_id, events });
    return { deletion_id: deletionId, status: 'completed', events };
  }

  async markFailed(deletionId: string, error: string): Promise<void> {
    await this.ds.query(`UPDATE lead_deletions SET status = 'failed', error = $2 WHERE id = $1 AND status <> 'completed'`, [deletionId, error.slice(0, 500)]);
  }

  /** Everything about one lead, inside the caller's transaction; returns how many stored events were erased. */
  private async eraseLead(ref: string, m: EntityManager): Promise<number> {
    const suppressed: string[] = (
      await m.query(`SELECT DISTINCT stream_id FROM event_store_events WHERE stream_type = $1 AND payload->>'lead_ref' = $2`, [SuppressedEventStreamType, ref])
    ).map((r: { stream_id: string }) => r.stream_id);
    const streams = [ref, ...suppressed];

    // touch rollups (the events module's `event-touches.sql.ts`): the lead's latest touches leave their cells' lead
    // counts and its engagement events their cells' event counts; those cells' first and last times are read again
    // from the events left once its events are gone
    await m.query(
      `UPDATE event_touch_hours h SET leads = h.leads - 1
         FROM leads l CROSS JOIN LATERAL jsonb_each_text(coalesce(l.touches, '{}'::jsonb)) AS t(k, v)
        WHERE l.id = $1 AND h.unit_id = l.unit_id AND h.dim = left(t.k, 1) AND h.value = substr(t.k, 3) AND h.hour = t.v::int`,
      [ref],
    );
    const [cells]: [{ unit_id: string; dim: string; value: string; hour: number }[], number] = await m.query(
      `UPDATE event_touch_hours h SET events = h.events - x.n
         FROM (SELECT e.unit_id, d.dim, d.value, floor(extract(epoch FROM e.occurred_at) / 3600)::int AS hour, count(*)::int AS n
                 FROM lead_events e
                 CROSS JOIN LATERAL (VALUES ('t', e.event_type_key), ('c', e.utm_campaign), ('s', e.utm_source), ('m', e.utm_medium)) AS d(dim, value)
                WHERE e.lead_ref = $1 AND e.suppression IS NULL AND e.source <> 'system' AND d.value IS NOT NULL
                GROUP BY 1, 2, 3, 4) x
        WHERE h.unit_id = x.unit_id AND h.dim = x.dim AND h.value = x.value AND h.hour = x.hour
        RETURNING h.unit_id, h.dim, h.value, h.hour`,
      [ref],
    );

    // read models of the lead's events; event type counts drop by what was counted
    const counted: { unit_id: string; event_type_key: string; n: number }[] = await m.query(
      `WITH d AS (DELETE FROM lead_events WHERE lead_ref = $1 RETURNING unit_id, event_type_key)
       SELECT unit_id, event_type_key, count(*)::int AS n FROM d GROUP BY unit_id, event_type_key`,
      [ref],
    );
    for (const c of counted) {
      await execute(
        m,
        sql`UPDATE event_type_stats SET event_count = greatest(0, event_count - ${c.n}) WHERE ${unitOnly(undefined, c.unit_id)} AND key = ${c.event_type_key}`,
      );
    }
    if (cells.length) {
      await m.query(
        `UPDATE event_touch_hours h SET first_at = b.first_at, last_at = b.last_at
           FROM jsonb_to_recordset($1::jsonb) AS x(unit_id text, dim text, value text, hour int)
           CROSS JOIN LATERAL (
             SELECT min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at FROM lead_events e
              WHERE e.unit_id = x.unit_id AND e.occurred_at >= to_timestamp(x.hour * 3600.0) AND e.occurred_at < to_timestamp((x.hour + 1) * 3600.0)
                AND e.suppression IS NULL AND e.source <> 'system' AND e.lead_ref IS NOT NULL
                AND CASE x.dim WHEN 't' THEN e.event_type_key WHEN 'c' THEN e.utm_campaign WHEN 's' THEN e.utm_source ELSE e.utm_medium END = x.value
           ) b
          WHERE h.unit_id = x.unit_id AND h.dim = x.dim AND h.value = x.value AND h.hour = x.hour`,
        [JSON.stringify(cells)],
      );
    }
    await m.query(`DELETE FROM event_scores WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM lead_scores WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM notification_attempts WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM notification_deliveries WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM surge_events WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM surge_recent_events WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM surge_lead_state WHERE lead_ref = $1`, [ref]);
    for (const table of ['trigger_lead_scores', 'milestone_events', 'sequence_events', 'pattern_events']) {
      await m.query(`DELETE FROM ${table} WHERE lead_ref = $1`, [ref]);
    }

    // the streams themselves
    const [{ n }] = await m.query(`WITH d AS (DELETE FROM event_store_events WHERE stream_id = ANY($1::text[]) RETURNING 1) SELECT count(*)::int AS n FROM d`, [
      streams,
    ]);
    await m.query(`DELETE FROM event_store_snapshots WHERE stream_id = ANY($1::text[])`, [streams]);
    await m.query(`DELETE FROM stream_summaries WHERE stream_id = ANY($1::text[])`, [streams]);

    // identity last (aliases cascade)
    await m.query(`DELETE FROM lead_aliases WHERE lead_ref = $1`, [ref]);
    await m.query(`DELETE FROM leads WHERE id = $1`, [ref]);
    return n;
  }
}
