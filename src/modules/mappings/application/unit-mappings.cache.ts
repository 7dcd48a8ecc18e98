import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { cachedByVersion } from '../../scoring';
import { FieldMapping } from '../domain';

/** An OU's mappings as the ingest pipeline applies them, oldest first, and whether its organization has ABM on. */
export interface UnitMappings {
  profile: FieldMapping[];
  account: FieldMapping[];
  abmEnabled: boolean;
}

/**
 * An OU's mappings, cached per process with the `scoring_setup_version` counter seen just before reading them
 * (migration 1764000000080 makes `field_mappings` move it, like every scoring setup table; `scoring_settings`, which
 * holds `abm_enabled`, already does). A batch checks the counter (a one-row read) and reads the mappings again only
 * when it moved. Callers must not change what they get.
 */
@Injectable()
export class UnitMappingsCache {
  private readonly cache = new Map<string, { version: string; setup: UnitMappings }>();

  load(orgId: string, unitId: string, m: EntityManager): Promise<UnitMappings> {
    return cachedByVersion(this.cache, `${orgId}\u0000${unitId}`, m, () => this.read(orgId, unitId, m));
  }

  private async read(orgId: string, unitId: string, m: EntityManager): Promise<UnitMappings> {
    const [row] = await m.query(
      `SELECT coalesce(jsonb_agg(jsonb_build_object('source_field', f.source_field, 'property', f.property, 'update_behavior', f.update_behavior)
                       ORDER BY f.created_at, f.id) FILTER (WHERE f.target = 'profile'), '[]'::jsonb) AS profile,
              coalesce(jsonb_agg(jsonb_build_object('source_field', f.source_field, 'property', f.property, 'update_behavior', f.update_behavior)
                       ORDER BY f.created_at, f.id) FILTER (WHERE f.target = 'account'), '[]'::jsonb) AS account,
              coalesce((SELECT abm_enabled FROM scoring_settings WHERE org_id = $1), false) AS abm_enabled
         FROM (SELECT 1) one LEFT JOIN field_mappings f ON f.org_id = $1 AND f.unit_id = $2`,
      [orgId, unitId],
    );
    return { profile: row.profile, account: row.account, abmEnabled: row.abm_enabled };
  }
}
