import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organizations, OUs, members, OU memberships, credentials, per-credential active OU, preferences, audit log. */
export class CreateIdentity1764000000002 implements MigrationInterface {
  name = 'CreateIdentity1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE server_secrets (
        name       text PRIMARY KEY,
        value      text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE organizations (
        id         text PRIMARY KEY,
        name       text        NOT NULL,
        slug       text        NOT NULL UNIQUE,
        rate_limit jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE org_units (
        id         text PRIMARY KEY,
        org_id     text        NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name       text        NOT NULL,
        slug       text        NOT NULL,
        is_default boolean     NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT org_units_org_slug_key UNIQUE (org_id, slug)
      )`);
    await q.query(`
      CREATE TABLE org_members (
        id            text PRIMARY KEY,
        org_id        text        NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        first_name    text        NOT NULL,
        last_name     text        NOT NULL,
        email         text        NOT NULL,
        password_hash text        NOT NULL,
        role          text        NOT NULL CHECK (role IN ('admin', 'member')),
        verified      boolean     NOT NULL DEFAULT false,
        slack_user_id text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX org_members_email_key ON org_members (lower(email))`);
    await q.query(`CREATE INDEX org_members_org_idx ON org_members (org_id)`);
    await q.query(`
      CREATE TABLE ou_memberships (
        unit_id       text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        org_member_id text        NOT NULL REFERENCES org_members(id) ON DELETE CASCADE,
        role          text        NOT NULL CHECK (role IN ('Owner', 'Operator', 'Viewer')),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit_id, org_member_id)
      )`);
    await q.query(`CREATE INDEX ou_memberships_member_idx ON ou_memberships (org_member_id)`);
    await q.query(`
      CREATE TABLE service_accounts (
        id           text PRIMARY KEY,
        org_id       text        NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name         text        NOT NULL,
        client_id    text        NOT NULL UNIQUE,
        secret_hash  text        NOT NULL,
        created_by   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        deleted_at   timestamptz
      )`);
    await q.query(`CREATE INDEX service_accounts_org_idx ON service_accounts (org_id) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE personal_access_tokens (
        id            text PRIMARY KEY,
        org_id        text        NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        org_member_id text        NOT NULL REFERENCES org_members(id) ON DELETE CASCADE,
        name          text        NOT NULL,
        token_prefix  text        NOT NULL,
        token_hash    text        NOT NULL UNIQUE,
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz,
        last_used_at  timestamptz,
        revoked_at    timestamptz
      )`);
    await q.query(`CREATE INDEX personal_access_tokens_member_idx ON personal_access_tokens (org_member_id)`);
    await q.query(`
      CREATE TABLE principal_active_units (
        principal  text PRIMARY KEY,
        unit_id    text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE member_notification_settings (
        org_member_id         text    NOT NULL REFERENCES org_members(id) ON DELETE CASCADE,
        unit_id               text    NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        notifications_enabled boolean NOT NULL DEFAULT true,
        muted_event_types     text[]  NOT NULL DEFAULT '{}',
        updated_at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_member_id, unit_id)
      )`);
    await q.query(`
      CREATE TABLE audit_logs (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text,
        actor_type  text        NOT NULL,
        actor_id    text        NOT NULL,
        user_email  text,
        method      text        NOT NULL,
        path        text        NOT NULL,
        status      integer     NOT NULL,
        ip          text,
        latency_ms  integer     NOT NULL,
        verb        text        NOT NULL,
        entity_type text,
        entity_id   text,
        summary     text        NOT NULL,
        request_id  text,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_logs_unit_created_idx ON audit_logs (org_id, unit_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_logs',
      'member_notification_settings',
      'principal_active_units',
      'personal_access_tokens',
      'service_accounts',
      'ou_memberships',
      'org_members',
      'org_units',
      'organizations',
      'server_secrets',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
