import { EntityManager } from 'typeorm';
import { raw, selectOne, sql } from '../../platform/database';

/** A row of the `leads` identity read model. */
export interface LeadRecord {
  id: string;
  org_id: string;
  unit_id: string;
  lead_id: string;
  metadata: Record<string, unknown>;
  account_id: string | null;
  owner_id: string | null;
  owner_name: string | null;
  created_at: Date;
  updated_at: Date;
  last_event_at: Date | null;
  last_event_type: string | null;
  event_count: number;
  score_reset_at: Date | null;
  profile_score: number;
  profile_level: string | null;
  disqualified: boolean;
  disqualified_at: Date | null;
  disqualification: { rule_id: string; ruleset_id: string; dimension: string; rule_name: string; reason: string } | null;
}

export const LEAD_COLUMNS = `id, org_id, unit_id, lead_id, metadata, account_id, owner_id, owner_name, created_at, updated_at, last_event_at, last_event_type, event_count, score_reset_at, profile_score, profile_level, disqualified, disqualified_at, disqualification`;

/** The columns of LeadRecord, each prefixed with a table alias. */
export const leadColumnsOf = (alias: string) =>
  raw(
    LEAD_COLUMNS.split(', ')
      .map((c) => `${alias}.${c}`)
      .join(', '),
  );

/** The lead as stored now (after a command's transaction: its inline projection has moved). */
export async function leadRecordByRef(m: Pick<EntityManager, 'query'>, ref: string): Promise<LeadRecord> {
  return (await selectOne<LeadRecord>(m, sql`SELECT ${raw(LEAD_COLUMNS)} FROM leads WHERE id = ${ref}`))!;
}
