import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead merges, score explanations and their share links (MRG-*, LEAD-21, EXP-8/9).
 * - `leads.merged_into`: the public id of the lead a merged source went into (identity projection, inline).
 * - `lead_events.reset_excluded`: an event moved from a merged source that predates that source's score reset;
 *   it never earns points again (LEAD-20), including on later score-now runs (lead-events projection).
 * - `share_links`: written by the API. Only the SHA-256 of a token is stored; `content` is the explanation as it
 *   was when the link was created (EXP-9: point-in-time).
 */
export class ShareLinks1764000000009 implements MigrationInterface {
  name = 'ShareLinks1764000000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE leads ADD COLUMN merged_into text`);
    await q.query(`ALTER TABLE lead_events ADD COLUMN reset_excluded boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE share_links (
        token_hash  text PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        lead_ref    text        NOT NULL,
        lead_id     text        NOT NULL,
        content     jsonb       NOT NULL,
        created_by  text,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX share_links_unit_lead_idx ON share_links (unit_id, lead_ref)`);
    await q.query(`CREATE INDEX share_links_expires_idx ON share_links (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE share_links`);
    await q.query(`ALTER TABLE lead_events DROP COLUMN reset_excluded`);
    await q.query(`ALTER TABLE leads DROP COLUMN merged_into`);
  }
}
