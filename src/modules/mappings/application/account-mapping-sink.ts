import type { EntityManager } from 'typeorm';
import type { MappedValue } from '../domain';

/** One lead's account-mapped values of one ingest batch, in event order (then mapping order). */
export interface AccountMappingBatchItem {
  /** `leads.id` (the Lead stream id) */
  lead_ref: string;
  /** the lead's public id */
  lead_id: string;
  /** each value with its account property and update behaviour; apply them in order with `applyMappedValues` */
  values: MappedValue[];
}

/**
 * ABM account mappings on ingest (PRF-4): where the pipeline hands each batch's account-mapped values.
 *
 * Contract: called once per ingest batch that produced any, inside the batch's transaction `m` (after the leads
 * were appended, so their `leads` rows exist), only while the organization has `abm_enabled` and the OU has account
 * mappings. For each item, the implementation finds the lead's account (none: skip the item), folds the values of all
 * items of that account in order over the account's current metadata with `applyMappedValues(values, metadata)` from
 * the mappings domain (it implements always_latest / set_once / append), writes the resulting changes to the account
 * and answers the account metadata keys it wrote (they feed `GET /account-metadata/properties`). It must be
 * set-based (a few statements per batch, never one per item) and must not throw for a lead without an account: an
 * error rolls the whole ingest batch back.
 *
 * The accounts module binds it: `{ provide: ACCOUNT_MAPPING_SINK, useClass: … }` in a global module. Unbound, account
 * mappings are kept and listed but not applied on ingest.
 */
export interface AccountMappingSink {
  apply(m: EntityManager, unit: { org_id: string; unit_id: string }, items: AccountMappingBatchItem[]): Promise<string[]>;
}

export const ACCOUNT_MAPPING_SINK = Symbol('ACCOUNT_MAPPING_SINK');
