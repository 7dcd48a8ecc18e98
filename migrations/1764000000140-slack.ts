import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack (SL-1..6, contracts §3).
 * - `slack_apps`: the organization's Slack app credentials (SL-1); the client secret is sealed (secret-box, as
 *   `notification_channels.secret_enc`) and never returned.
 * - `slack_connections`: one per OU (SL-2): the workspace, the bot user and its token (sealed), the default target
 *   (SL-4) and the publish opt-in (SL-5). Disconnecting deletes the row, token and all.
 * - `slack_oauth_states`: install states (SL-2), stored as SHA-256 of the value handed to Slack, bound to the OU
 *   and the member who started the install, single-use (`used_at`) and expiring (10 minutes).
 */
export class Slack1764000000140 implements MigrationInterface {
  name = 'Slack1764000000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_apps (
        org_id            text PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
        client_id         text        NOT NULL,
        client_secret_enc text        NOT NULL,
        updated_by        text,
        updated_at        timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE slack_connections (
        unit_id               text PRIMARY KEY REFERENCES org_units(id) ON DELETE CASCADE,
        org_id                text        NOT NULL,
        team_id               text        NOT NULL,
        team_name             text,
        bot_user_id           text,
        app_id                text,
        scope                 text,
        bot_token_enc         text        NOT NULL,
        default_target_kind   text CHECK (default_target_kind IN ('channel', 'user')),
        default_target_id     text,
        publish_notifications boolean     NOT NULL DEFAULT false,
        installed_by          text,
        created_at            timestamptz NOT NULL,
        updated_at            timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE slack_oauth_states (
        state_hash  text PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        principal   jsonb       NOT NULL,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz
      )`);
    await q.query(`CREATE INDEX slack_oauth_states_expiry_idx ON slack_oauth_states (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['slack_oauth_states', 'slack_connections', 'slack_apps']) await q.query(`DROP TABLE ${t}`);
  }
}
