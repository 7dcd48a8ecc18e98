import { selectRows, sql } from '../../../platform/database';
import type { Queryable } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';
import { ENGAGEMENT } from '../../scoring';

/** The OU's engagement rulesets as lead reads name them: the primary one and every name by id; and the primary profile ruleset. */
export interface UnitRulesets {
  primary: { id: string; name: string } | null;
  names: Map<string, string>;
  /** with PRF-5's floor: `below_floor` when the profile score is under `floor` (null: no floor set) */
  profilePrimary: { id: string; name: string; floor: number | null } | null;
}

export async function unitRulesets(db: Queryable, unitId: string): Promise<UnitRulesets> {
  const all = await selectRows<{ id: string; name: string; is_primary: boolean; dimension: string; floor: number | null }>(
    db,
    sql`SELECT r.id, r.name, r.is_primary, r.dimension,
               CASE WHEN r.dimension = 'profile' AND r.score_floor_pct IS NOT NULL
                    THEN r.score_floor_pct * (SELECT coalesce(sum(x.weight), 0) FROM rules x WHERE x.ruleset_id = r.id AND x.rule_type = 'add_points' AND x.weight > 0)
               END AS floor
          FROM rulesets r WHERE ${unitOnly('r', unitId)} AND (r.dimension = ${ENGAGEMENT} OR (r.dimension = 'profile' AND r.is_primary))
         ORDER BY r.created_at, r.id`,
  );
  const rows = all.filter((r) => r.dimension === ENGAGEMENT);
  const primary = rows.find((r) => r.is_primary);
  const profile = all.find((r) => r.dimension === 'profile');
  return {
    primary: primary ? { id: primary.id, name: primary.name } : null,
    names: new Map(rows.map((r) => [r.id, r.name])),
    profilePrimary: profile ? { id: profile.id, name: profile.name, floor: profile.floor === null ? null : Number(profile.floor) } : null,
  };
}
