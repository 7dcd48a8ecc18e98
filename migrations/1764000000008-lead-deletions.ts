import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LEAD-18 lead deletion requests. A request outlives the lead it erased (GET /lead/{id}/deletion-status), so it
 * names the lead only by its public id within the OU: no internal id, alias, metadata or event of the lead.
 * The partial expression index finds the metadata-suppressed events that name a lead (their own
 * `suppressed_event` streams carry `lead_ref` in the payload) without scanning the event store.
 */
export class LeadDeletions1764000000008 implements MigrationInterface {
  name = 'LeadDeletions1764000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lead_deletions (
        id           uuid PRIMARY KEY,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        lead_id      text        NOT NULL,
        status       text        NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'failed')),
        requested_by text,
        requested_at timestamptz NOT NULL,
        completed_at timestamptz,
        error        text
      )`);
    await q.query(`CREATE INDEX lead_deletions_lead_idx ON lead_deletions (unit_id, lead_id, requested_at DESC)`);
    await q.query(`CREATE INDEX event_store_events_suppressed_lead_idx ON event_store_events ((payload->>'lead_ref')) WHERE stream_type = 'suppressed_event'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX event_store_events_suppressed_lead_idx`);
    await q.query(`DROP TABLE lead_deletions`);
  }
}
