import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts (ABM, issue 12): the Account aggregate's read models and the columns grouping needs on `leads`.
 * - `accounts`: one row per Account stream (`id` = stream id), applied inline with each Account append; the aggregate
 *   columns (lead counts, top/average scores, owner of the top-scoring lead, last activity, last surge) are refreshed
 *   set-based by the async `account-grouping` projection for the accounts a batch touched, twice: over qualified
 *   leads (`*` columns) and over all live leads (`*_all` columns, served with `include_disqualified=true`).
 *   `account_score`/`account_level` follow the OU's account rules on `metadata`. Indexed for 100,000 accounts per OU:
 *   every ACC-3 sort has a (unit_id, key, id) index over live rows; name/domain/owner search use pg_trgm.
 * - `leads.account_ref`: the account a lead belongs to; `leads.account_key`: the grouping key last applied
 *   (`id:<account_id>` or `domain:<domain>`), so an unlinked lead (ACC-6) is not relinked until its key changes.
 * - `account_committee_members`: the buying committee (BC-1), manual members and inferred ones.
 */
export class Accounts1764000000090 implements MigrationInterface {
  name = 'Accounts1764000000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE accounts (
        id                    text             PRIMARY KEY,
        org_id                text             NOT NULL,
        unit_id               text             NOT NULL,
        account_id            text             NOT NULL,
        group_key             text             NOT NULL,
        name                  text,
        domain                text,
        metadata              jsonb            NOT NULL DEFAULT '{}'::jsonb,
        leads_count           integer          NOT NULL DEFAULT 0,
        top_score             double precision NOT NULL DEFAULT 0,
        engagement_score      double precision NOT NULL DEFAULT 0,
        profile_score         double precision NOT NULL DEFAULT 0,
        owner_name            text,
        last_activity_at      timestamptz,
        leads_count_all       integer          NOT NULL DEFAULT 0,
        top_score_all         double precision NOT NULL DEFAULT 0,
        engagement_score_all  double precision NOT NULL DEFAULT 0,
        owner_name_all        text,
        last_activity_at_all  timestamptz,
        disqualified_count    integer          NOT NULL DEFAULT 0,
        last_surge_at         timestamptz,
        account_score         double precision NOT NULL DEFAULT 0,
        account_level         text,
        account_level_id      text,
        archived_at           timestamptz,
        merged_into           text,
        created_at            timestamptz      NOT NULL,
        updated_at            timestamptz      NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX accounts_unit_account_id_key ON accounts (unit_id, account_id)`);
    await q.query(`CREATE UNIQUE INDEX accounts_unit_group_key ON accounts (unit_id, group_key)`);
    const live = `WHERE archived_at IS NULL`;
    await q.query(`CREATE INDEX accounts_unit_created_idx ON accounts (unit_id, created_at, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_name_idx ON accounts (unit_id, lower(name), id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_top_idx ON accounts (unit_id, top_score, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_top_all_idx ON accounts (unit_id, top_score_all, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_engagement_idx ON accounts (unit_id, engagement_score, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_engagement_all_idx ON accounts (unit_id, engagement_score_all, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_activity_idx ON accounts (unit_id, last_activity_at, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_activity_all_idx ON accounts (unit_id, last_activity_at_all, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_owner_idx ON accounts (unit_id, lower(owner_name), id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_owner_all_idx ON accounts (unit_id, lower(owner_name_all), id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_score_idx ON accounts (unit_id, account_score, id) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_level_idx ON accounts (unit_id, account_level) ${live}`);
    await q.query(`CREATE INDEX accounts_unit_domain_idx ON accounts (unit_id, lower(domain)) ${live}`);
    await q.query(`CREATE INDEX accounts_name_trgm_idx ON accounts USING gin (lower(name) gin_trgm_ops) ${live}`);
    await q.query(`CREATE INDEX accounts_domain_trgm_idx ON accounts USING gin (lower(domain) gin_trgm_ops) ${live}`);
    await q.query(`CREATE INDEX accounts_owner_trgm_idx ON accounts USING gin (lower(owner_name) gin_trgm_ops) ${live}`);
    await q.query(`CREATE INDEX accounts_merged_into_idx ON accounts (merged_into) WHERE merged_into IS NOT NULL`);

    await q.query(`ALTER TABLE leads ADD COLUMN account_ref text, ADD COLUMN account_key text`);
    await q.query(`CREATE INDEX leads_account_ref_idx ON leads (account_ref) WHERE account_ref IS NOT NULL`);

    await q.query(`
      CREATE TABLE account_committee_members (
        account_ref  text        NOT NULL,
        lead_ref     text        NOT NULL,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL,
        id           text        NOT NULL,
        lead_id      text        NOT NULL,
        role         text        NOT NULL CHECK (role IN ('decision_maker', 'influencer', 'champion', 'kol', 'other')),
        is_manual    boolean     NOT NULL,
        notes        text,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (account_ref, lead_ref)
      )`);
    await q.query(`CREATE INDEX account_committee_members_lead_idx ON account_committee_members (lead_ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_committee_members`);
    await q.query(`DROP INDEX leads_account_ref_idx`);
    await q.query(`ALTER TABLE leads DROP COLUMN account_ref, DROP COLUMN account_key`);
    await q.query(`DROP TABLE accounts`);
  }
}
