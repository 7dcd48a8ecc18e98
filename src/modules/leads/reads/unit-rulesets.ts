import { selectRows, sql } from '../../../platform/database';
import type { Queryable } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';
import { ENGAGEMENT } from '../../scoring';

/** The OU's engagement rulesets as lead reads name them: the primary one and every name by id. */
export interface UnitRulesets {
  primary: { id: string; name: string } | null;
  names: Map<string, string>;
}

export async function unitRulesets(db: Queryable, unitId: string): Promise<UnitRulesets> {
  const rows = await selectRows<{ id: string; name: string; is_primary: boolean }>(
    db,
    sql`SELECT id, name, is_primary FROM rulesets WHERE ${unitOnly(undefined, unitId)} AND dimension = ${ENGAGEMENT} ORDER BY created_at, id`,
  );
  const primary = rows.find((r) => r.is_primary);
  return { primary: primary ? { id: primary.id, name: primary.name } : null, names: new Map(rows.map((r) => [r.id, r.name])) };
}
