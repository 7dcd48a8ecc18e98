import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * HubSpot sync (HS-1..7, DEAL-4; contracts §4), on top of `hubspot_connections` and `deal_pipelines` (1764000000250):
 * - `hubspot_connections.engagement_history_synced_at`: when the last engagement history import finished (HS-6).
 * - `hubspot_oauth_states`: connect states, shaped as `slack_oauth_states` and handled by the same shared store
 *   (platform/security OAuthStates): SHA-256 of the value handed to HubSpot, bound to the OU and the member who
 *   started the connect, single-use (`used_at`) and expiring (10 minutes).
 * - `hubspot_sync_runs`: one row per queued import (`backfill`) or incremental sync. The worker walks its `phases`
 *   in order and stores, after every page it committed, the phase it is in and HubSpot's paging cursor (`after`),
 *   so a restarted job resumes at the page it stopped at; `counts` are its progress (records per object type).
 */
export class HubspotSync1764000000260 implements MigrationInterface {
  name = 'HubspotSync1764000000260';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hubspot_connections ADD COLUMN engagement_history_synced_at timestamptz`);
    await q.query(`
      CREATE TABLE hubspot_oauth_states (
        state_hash  text PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        principal   jsonb       NOT NULL,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz
      )`);
    await q.query(`CREATE INDEX hubspot_oauth_states_expiry_idx ON hubspot_oauth_states (expires_at)`);
    await q.query(`
      CREATE TABLE hubspot_sync_runs (
        id              text PRIMARY KEY,
        org_id          text        NOT NULL,
        unit_id         text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        kind            text        NOT NULL CHECK (kind IN ('backfill', 'incremental')),
        status          text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        phases          text[]      NOT NULL,
        phase           text,
        cursor          text,
        since           timestamptz,
        engagement_types text[]     NOT NULL DEFAULT '{}',
        counts          jsonb       NOT NULL DEFAULT '{}'::jsonb,
        failure_reason  text,
        created_by      text,
        created_at      timestamptz NOT NULL,
        started_at      timestamptz,
        finished_at     timestamptz
      )`);
    await q.query(`CREATE INDEX hubspot_sync_runs_unit_idx ON hubspot_sync_runs (unit_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hubspot_sync_runs`);
    await q.query(`DROP TABLE hubspot_oauth_states`);
    await q.query(`ALTER TABLE hubspot_connections DROP COLUMN engagement_history_synced_at`);
  }
}
