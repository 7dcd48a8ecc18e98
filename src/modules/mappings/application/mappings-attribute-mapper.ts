import { Inject, Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BatchAttributeMapping, LeadAttributeMapper } from '../../leads';
import { applyFieldMappings, MappedValue, mappedValues } from '../domain';
import { ACCOUNT_MAPPING_SINK, AccountMappingSink } from './account-mapping-sink';
import { recordMetadataKeys } from './metadata-keys';
import { UnitMappingsCache } from './unit-mappings.cache';

/**
 * The leads pipeline's LeadAttributeMapper: the OU's profile mappings applied to each event's metadata against the
 * lead's current metadata (PRF-2..4), and, while ABM is on and a sink is bound, the account mappings' values handed
 * to the ACCOUNT_MAPPING_SINK per batch. Null (nothing to do per event) for an OU without mappings.
 */
@Injectable()
export class MappingsAttributeMapper extends LeadAttributeMapper {
  constructor(
    private readonly cache: UnitMappingsCache,
    @Optional() @Inject(ACCOUNT_MAPPING_SINK) private readonly sink?: AccountMappingSink,
  ) {
    super();
  }

  async forBatch(orgId: string, unitId: string, m: EntityManager): Promise<BatchAttributeMapping | null> {
    const { profile, account, abmEnabled } = await this.cache.load(orgId, unitId, m);
    const sink = abmEnabled && account.length ? this.sink : undefined;
    if (!profile.length && !sink) return null;
    return {
      profile: profile.length ? (metadata, attributes) => applyFieldMappings(profile, metadata, attributes) : null,
      account: sink ? (metadata) => mappedValues(account, metadata) : null,
      flushAccount: async (tx, items) => {
        if (!sink || !items.length) return;
        const keys = await sink.apply(
          tx,
          { org_id: orgId, unit_id: unitId },
          items.map((i) => ({ ...i, values: i.values as MappedValue[] })),
        );
        await recordMetadataKeys(tx, 'account', orgId, unitId, keys);
      },
    };
  }
}
