import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lead CSV import (LIMP-1, LIMP-2).
 * - `lead_import_files`: an uploaded CSV (preview) with what the preview found; valid one hour (`expires_at`).
 *   `complete` turns true once the whole upload is stored; an upload that failed leaves nothing.
 * - `lead_import_file_chunks`: the file's bytes, in order (`seq`), a few hundred KB a row. Kept in PostgreSQL
 *   so that the api that received the file and the worker that imports it need not share a disk. The purge job
 *   drops the chunks of expired files (not while a queued or running import still reads them) and the file rows a
 *   day after expiry (until then an expired id answers 410, after that 404).
 * - `lead_import_jobs`: one import run and its progress; counters move in the same transaction as each chunk of
 *   rows, so a retried job resumes where the last committed chunk ended.
 */
export class LeadImports1764000000010 implements MigrationInterface {
  name = 'LeadImports1764000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lead_import_files (
        id          text PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        file_name   text        NOT NULL,
        content_type text,
        size_bytes  bigint      NOT NULL DEFAULT 0,
        headers     jsonb       NOT NULL DEFAULT '[]'::jsonb,
        row_count   integer     NOT NULL DEFAULT 0,
        complete    boolean     NOT NULL DEFAULT false,
        purged      boolean     NOT NULL DEFAULT false,
        created_by  text,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX lead_import_files_expiry_idx ON lead_import_files (expires_at)`);
    await q.query(`
      CREATE TABLE lead_import_file_chunks (
        file_id text    NOT NULL REFERENCES lead_import_files(id) ON DELETE CASCADE,
        seq     integer NOT NULL,
        data    bytea   NOT NULL,
        PRIMARY KEY (file_id, seq)
      )`);
    await q.query(`
      CREATE TABLE lead_import_jobs (
        id                 text PRIMARY KEY,
        org_id             text        NOT NULL,
        unit_id            text        NOT NULL,
        file_id            text        NOT NULL,
        file_name          text        NOT NULL,
        primary_column     text        NOT NULL,
        primary_kind       text        NOT NULL,
        field_mappings     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        alias_mappings     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        status             text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        total_rows         integer     NOT NULL DEFAULT 0,
        processed_rows     integer     NOT NULL DEFAULT 0,
        created_leads      integer     NOT NULL DEFAULT 0,
        updated_leads      integer     NOT NULL DEFAULT 0,
        error_count        integer     NOT NULL DEFAULT 0,
        errors             jsonb       NOT NULL DEFAULT '[]'::jsonb,
        failure_reason     text,
        created_by         text,
        created_at         timestamptz NOT NULL,
        started_at         timestamptz,
        finished_at        timestamptz
      )`);
    await q.query(`CREATE INDEX lead_import_jobs_unit_idx ON lead_import_jobs (unit_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX lead_import_jobs_file_idx ON lead_import_jobs (file_id) WHERE status IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE lead_import_jobs`);
    await q.query(`DROP TABLE lead_import_file_chunks`);
    await q.query(`DROP TABLE lead_import_files`);
  }
}
