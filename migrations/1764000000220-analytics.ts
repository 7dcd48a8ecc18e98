import { MigrationInterface, QueryRunner } from 'typeorm';

const UTM = ['campaign', 'source', 'medium'] as const;

/**
 * Analytics (issue 14): score history and the indexes of the analytics reads.
 * - `score_snapshots`: a lead's displayed engagement score (`leads.score`, rounded as the lead list shows it) at an
 *   hour bucket, written by the hourly `scores.snapshot` job only when it differs from the lead's previous snapshot
 *   (a lead without a snapshot counts as 0), so history costs rows per change, not per lead per hour. Retention
 *   (PERF-6, 90 days) keeps each lead's newest snapshot older than the cutoff: it carries the score the lead had at
 *   the cutoff. Erasing a lead erases its history (cascade).
 * - `lead_events.utm_campaign|utm_source|utm_medium`: the event's UTM values (AN-1), generated from `metadata`, so
 *   the campaign reads are index-only scans of partial indexes over engagement events (not suppressed, not
 *   system-written) carrying a value; writers of `lead_events` are unchanged. Ordered (value, lead) so the per-lead
 *   touch counts are a streamed group aggregate (no hash spilling to disk); a drill-down is a range of one value.
 * - `lead_events_analytics_idx`: event counts by time (event stats, events analytics) as index-only scans.
 * - `analytics_try_timestamptz(text)`: a CRM date property (RFC 3339 / ISO text or epoch milliseconds) as an
 *   instant, NULL when it is not one, so one bad deal property never fails a read (deal attribution, DEAL-3).
 */
export class Analytics1764000000220 implements MigrationInterface {
  name = 'Analytics1764000000220';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE score_snapshots (
        lead_ref    text             NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        snapshot_at timestamptz      NOT NULL,
        org_id      text             NOT NULL,
        unit_id     text             NOT NULL,
        score       double precision NOT NULL,
        PRIMARY KEY (lead_ref, snapshot_at)
      )`);
    await q.query(`CREATE INDEX score_snapshots_unit_time_idx ON score_snapshots (unit_id, snapshot_at) INCLUDE (lead_ref, score)`);
    await q.query(`CREATE INDEX score_snapshots_time_idx ON score_snapshots (snapshot_at)`);
    for (const key of UTM) {
      await q.query(`ALTER TABLE lead_events ADD COLUMN utm_${key} text GENERATED ALWAYS AS (nullif(metadata->>'utm_${key}', '')) STORED`);
      await q.query(
        `CREATE INDEX lead_events_utm_${key}_idx ON lead_events (unit_id, utm_${key}, lead_ref, occurred_at)
          WHERE utm_${key} IS NOT NULL AND suppression IS NULL AND source <> 'system'`,
      );
    }
    await q.query(`
      CREATE FUNCTION analytics_try_timestamptz(v text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
      BEGIN
        IF v IS NULL OR v = '' THEN RETURN NULL; END IF;
        IF v ~ '^[0-9]{11,13}$' THEN RETURN to_timestamp(v::bigint / 1000.0); END IF;
        IF v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN RETURN NULL; END IF;
        RETURN v::timestamptz;
      EXCEPTION WHEN others THEN RETURN NULL;
      END $$`);
    await q.query(
      `CREATE INDEX lead_events_analytics_idx ON lead_events (unit_id, occurred_at) INCLUDE (event_type_key, lead_ref, suppression) WHERE source <> 'system'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX lead_events_analytics_idx`);
    await q.query(`DROP FUNCTION analytics_try_timestamptz(text)`);
    for (const key of UTM) {
      await q.query(`DROP INDEX lead_events_utm_${key}_idx`);
      await q.query(`ALTER TABLE lead_events DROP COLUMN utm_${key}`);
    }
    await q.query(`DROP TABLE score_snapshots`);
  }
}
