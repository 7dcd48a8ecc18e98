import { selectRows, sql } from '../../../platform/database';
import type { Queryable } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';
import { ENGAGEMENT } from '../../scoring';

/** The OU's engagement rulesets as lead reads name them: the primary one and every name by id; and the primary profile ruleset. */
export interface UnitRulesets {
  primary: { id: string; name: string } | null;
  names: Map<string, string>;
  profilePrimary: { id: string; name: string } | null;
}

export async function unitRulesets(db: Queryable, unitId: string): Promise<UnitRulesets> {
  const all = await selectRows<{ id: string; name: string; is_primary: boolean; dimension: string }>(
    db,
    sql`SELECT id, name, is_primary, dimension FROM rulesets WHERE ${unitOnly(undefined, unitId)} AND (dimension = ${ENGAGEMENT} OR (dimension = 'profile' AND is_primary))
         ORDER BY created_at, id`,
  );
  const rows = all.filter((r) => r.dimension === ENGAGEMENT);
  const primary = rows.find((r) => r.is_primary);
  const profile = all.find((r) => r.dimension === 'profile');
  return {
    primary: primary ? { id: primary.id, name: primary.name } : null,
    names: new Map(rows.map((r) => [r.id, r.name])),
    profilePrimary: profile ? { id: profile.id, name: profile.name } : null,
  };
}
