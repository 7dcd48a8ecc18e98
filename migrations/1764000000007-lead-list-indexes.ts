import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead lists at scale (LEAD-11..LEAD-14): `GET /leads`, `/leads/export`, `/leads/search` read only `leads`
 * (+ `lead_scores`/`lead_aliases` for the rows of one page), never events.
 * - `leads.score` denormalises the lead's primary engagement ruleset score from `lead_scores` (0 when the OU has
 *   no primary or the lead earned nothing there). `recomputeLeadScores` keeps it, and the rulesets projection
 *   re-derives it for the whole OU when the primary changes. Like `lead_scores.score` it is as of `computed_at`.
 * - Every list index is partial on `status = 'active'` and ends with `id`, so each sort order (score, created,
 *   last activity, a lead without events sorting as the oldest) is a bounded index walk with a total order for paging and keyset export, and counts are
 *   index-only scans.
 * - `text_pattern_ops` indexes serve the prefix search on lead ids and alias values.
 */
export class LeadListIndexes1764000000007 implements MigrationInterface {
  name = 'LeadListIndexes1764000000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE leads ADD COLUMN score double precision NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE leads l SET score = s.score FROM lead_scores s JOIN rulesets r ON r.id = s.ruleset_id AND r.is_primary AND r.dimension = 'engagement'
        WHERE s.lead_ref = l.id`,
    );
    await q.query(`DROP INDEX IF EXISTS leads_unit_created_idx`);
    await q.query(`DROP INDEX IF EXISTS leads_unit_last_event_idx`);
    await q.query(`CREATE INDEX leads_list_created_idx ON leads (unit_id, created_at DESC, id DESC) WHERE status = 'active'`);
    await q.query(
      `CREATE INDEX leads_list_last_event_idx ON leads (unit_id, (coalesce(last_event_at, '-infinity'::timestamptz)) DESC, id DESC) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX leads_list_score_idx ON leads (unit_id, score DESC, id DESC) WHERE status = 'active'`);
    await q.query(`CREATE INDEX leads_search_lead_id_idx ON leads (unit_id, lead_id text_pattern_ops) WHERE status = 'active'`);
    await q.query(`CREATE INDEX lead_aliases_search_idx ON lead_aliases (unit_id, value text_pattern_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX lead_aliases_search_idx`);
    await q.query(`DROP INDEX leads_search_lead_id_idx`);
    await q.query(`DROP INDEX leads_list_score_idx`);
    await q.query(`DROP INDEX leads_list_last_event_idx`);
    await q.query(`DROP INDEX leads_list_created_idx`);
    await q.query(`CREATE INDEX leads_unit_created_idx ON leads (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX leads_unit_last_event_idx ON leads (unit_id, last_event_at DESC NULLS LAST)`);
    await q.query(`ALTER TABLE leads DROP COLUMN score`);
  }
}
