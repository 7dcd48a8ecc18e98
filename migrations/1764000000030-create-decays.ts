import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inactivity decay (DEC-1..7).
 * - `decay_rules`: configuration of an OU (`inactive_for` × `unit` of inactivity costs `decrease` points per period).
 * - `decay_applications`: the ledger of what the hourly `decay.apply` job subtracted. One row per lead, rule,
 *   engagement ruleset, inactivity spell (`inactive_since`, the lead's last activity) and `k` (the number of full
 *   periods of that spell the lead has been charged for once the row is written; the row covers `periods` of them).
 *   The primary key is what makes a second run, or a second worker running at the same moment, subtract nothing:
 *   its rows conflict and are dropped (ON CONFLICT DO NOTHING), and only inserted rows write DECAY events.
 *   Deleting a rule keeps its rows (points already removed are not given back, DEC-5); erasing a lead removes them.
 */
export class CreateDecays1764000000030 implements MigrationInterface {
  name = 'CreateDecays1764000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE decay_rules (
        id           text PRIMARY KEY,
        org_id       text        NOT NULL,
        unit_id      text        NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        name         text,
        inactive_for integer     NOT NULL CHECK (inactive_for > 0),
        unit         text        NOT NULL CHECK (unit IN ('hours', 'days', 'weeks')),
        decrease     integer     NOT NULL CHECK (decrease > 0),
        active       boolean     NOT NULL DEFAULT true,
        created_by   text,
        updated_by   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX decay_rules_unit_idx ON decay_rules (org_id, unit_id)`);
    await q.query(`
      CREATE TABLE decay_applications (
        lead_ref       text        NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        decay_id       text        NOT NULL,
        ruleset_id     text        NOT NULL,
        inactive_since timestamptz NOT NULL,
        k              integer     NOT NULL,
        org_id         text        NOT NULL,
        unit_id        text        NOT NULL,
        periods        integer     NOT NULL,
        amount         double precision NOT NULL,
        event_id       uuid,
        applied_at     timestamptz NOT NULL,
        PRIMARY KEY (lead_ref, decay_id, ruleset_id, inactive_since, k)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decay_applications`);
    await q.query(`DROP TABLE decay_rules`);
  }
}
