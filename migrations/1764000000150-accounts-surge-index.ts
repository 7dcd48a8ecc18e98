import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /accounts?surging=true|false` (SUR-10: a lead of the account surged in the last 24 h) filters on
 * `accounts.last_surge_at`; this index finds an OU's surging accounts without reading its other accounts
 * (100,000 per OU), live accounts only like the list's other indexes.
 */
export class AccountsSurgeIndex1764000000150 implements MigrationInterface {
  name = 'AccountsSurgeIndex1764000000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX accounts_unit_surge_idx ON accounts (unit_id, last_surge_at) WHERE archived_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX accounts_unit_surge_idx`);
  }
}
