import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shared tables of the HubSpot sync (issue 15) and calibration (issue 16), created once so both slices agree:
 * - `hubspot_connections`: one per OU (HS-3..6). BYO app credentials (`client_secret_enc` sealed with the
 *   secret-box, as Slack's), the OAuth tokens (sealed) and their expiry, the engagement-type preferences (HS-1),
 *   the connection state (`connected`, `broken` when HubSpot revoked the token, `disconnected`) and `last_sync_at`,
 *   which calibration reports as `hubspot_sync_freshness` (CAL-2).
 * - `deal_pipelines`: the deal pipelines and their stages as the sync last saw them (HS-7); conversion definitions
 *   validate `deal_stages` against them when any exist (CAL-1). `stages` is `[{id, label, display_order,
 *   is_closed, probability}]`.
 */
export class CrmFoundation1764000000250 implements MigrationInterface {
  name = 'CrmFoundation1764000000250';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hubspot_connections (
        unit_id                    text PRIMARY KEY REFERENCES org_units(id) ON DELETE CASCADE,
        org_id                     text        NOT NULL,
        status                     text        NOT NULL DEFAULT 'disconnected'
                                   CHECK (status IN ('connected', 'broken', 'disconnected')),
        client_id                  text,
        client_secret_enc          text,
        hub_id                     text,
        scopes                     text[],
        access_token_enc           text,
        refresh_token_enc          text,
        token_expires_at           timestamptz,
        engagement_types           text[]      NOT NULL DEFAULT '{}',
        include_engagement_history boolean     NOT NULL DEFAULT false,
        engagement_history_synced  boolean     NOT NULL DEFAULT false,
        last_sync_at               timestamptz,
        last_error                 text,
        created_at                 timestamptz NOT NULL,
        updated_at                 timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE deal_pipelines (
        unit_id      text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        org_id       text        NOT NULL,
        source       text        NOT NULL DEFAULT 'hubspot',
        pipeline_id  text        NOT NULL,
        label        text        NOT NULL,
        stages       jsonb       NOT NULL DEFAULT '[]'::jsonb,
        synced_at    timestamptz NOT NULL,
        PRIMARY KEY (unit_id, source, pipeline_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deal_pipelines`);
    await q.query(`DROP TABLE hubspot_connections`);
  }
}
