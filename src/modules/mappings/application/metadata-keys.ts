import { EntityManager } from 'typeorm';
import { MappingTarget } from '../domain';

const TABLE: Record<MappingTarget, string> = { profile: 'lead_metadata_keys', account: 'account_metadata_keys' };

/**
 * Adds metadata keys seen in an OU (lead or account metadata) to its keys read model; keys already listed stay as
 * they are. One statement whatever the number of keys. Exported for the accounts module: a direct account metadata
 * edit (PATCH /accounts/{id}/metadata) records its keys the same way.
 */
export async function recordMetadataKeys(m: EntityManager, target: MappingTarget, orgId: string, unitId: string, keys: readonly string[]): Promise<void> {
  if (!keys.length) return;
  await m.query(
    `INSERT INTO ${TABLE[target]} (unit_id, key, org_id, first_seen_at)
     SELECT $1, k, $2, clock_timestamp() FROM unnest($3::text[]) AS k
     ON CONFLICT (unit_id, key) DO NOTHING`,
    [unitId, orgId, [...new Set(keys)]],
  );
}
