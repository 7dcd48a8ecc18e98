import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Segments (SEG-1..11).
 * - `segments`, `segment_rules`: configuration of an OU (rules compiled to one SQL predicate over a lead, SEG-10).
 * - `segment_members`: the read model of who is in each segment (SEG-5), kept set-based: a whole segment by the
 *   `segments.recompute` job after its configuration changed, the leads an event batch touched by the
 *   `segment-membership` projection. Rows follow their lead out (erasure cascades); disqualification and merges are
 *   filtered on read through `leads`, so a count joins `leads` by primary key only.
 * - `segment_setup_version`: bumped by any change to segments or rules, so the projection keeps each OU's active
 *   segments in a cache and a batch of an OU without segments costs one one-row read.
 */
export class Segments1764000000210 implements MigrationInterface {
  name = 'Segments1764000000210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE segments (
        id          text PRIMARY KEY,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        name        text        NOT NULL,
        description text,
        active      boolean     NOT NULL DEFAULT true,
        created_by  text,
        updated_by  text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segments_unit_idx ON segments (unit_id, created_at, id)`);
    await q.query(`
      CREATE TABLE segment_rules (
        id          text PRIMARY KEY,
        segment_id  text        NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
        org_id      text        NOT NULL,
        unit_id     text        NOT NULL,
        rule_name   text,
        rule_type   text        NOT NULL,
        field_name  text        NOT NULL,
        operator    text        NOT NULL,
        value       text,
        event_type  text,
        logic_group integer     NOT NULL DEFAULT 0,
        logic_op    text        NOT NULL DEFAULT 'AND' CHECK (logic_op IN ('AND', 'OR')),
        order_index integer     NOT NULL DEFAULT 0,
        active      boolean     NOT NULL DEFAULT true,
        created_by  text,
        updated_by  text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX segment_rules_segment_idx ON segment_rules (segment_id, logic_group, order_index, created_at, id)`);
    await q.query(`
      CREATE TABLE segment_members (
        segment_id text        NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
        lead_ref   text        NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        org_id     text        NOT NULL,
        unit_id    text        NOT NULL,
        joined_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (segment_id, lead_ref)
      )`);
    // the cascade from an erased lead, and the projection's per-lead re-evaluation
    await q.query(`CREATE INDEX segment_members_lead_idx ON segment_members (lead_ref)`);
    // the few leads a member count leaves out (disqualified, or no longer live): counts subtract them through this
    // small partial index instead of reading the lead row of every member (1M leads: 144 ms → 3 ms for 10,000 members)
    await q.query(`CREATE INDEX leads_segment_uncounted_idx ON leads (id) WHERE status <> 'active' OR disqualified`);
    await q.query(`CREATE TABLE segment_setup_version (id boolean PRIMARY KEY DEFAULT true CHECK (id), version bigint NOT NULL DEFAULT 0)`);
    await q.query(`INSERT INTO segment_setup_version DEFAULT VALUES`);
    await q.query(`
      CREATE FUNCTION bump_segment_setup_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE segment_setup_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    for (const table of ['segments', 'segment_rules']) {
      await q.query(
        `CREATE TRIGGER ${table}_bump_segment_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION bump_segment_setup_version()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['segments', 'segment_rules']) await q.query(`DROP TRIGGER ${table}_bump_segment_setup_version ON ${table}`);
    await q.query(`DROP FUNCTION bump_segment_setup_version()`);
    await q.query(`DROP TABLE segment_setup_version`);
    await q.query(`DROP INDEX leads_segment_uncounted_idx`);
    await q.query(`DROP TABLE segment_members`);
    await q.query(`DROP TABLE segment_rules`);
    await q.query(`DROP TABLE segments`);
  }
}
