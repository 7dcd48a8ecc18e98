import type { EntityManager } from 'typeorm';

/**
 * One OU's field mappings for one ingest batch, as the pipeline uses them (see LeadAttributeMapper). Both functions
 * are pure and cheap: the pipeline calls them once per recorded event.
 */
export interface BatchAttributeMapping {
  /** Profile mappings: the properties one event's metadata changes on the lead's current metadata (`{}`: none); null without profile mappings. */
  readonly profile: ((eventMetadata: Readonly<Record<string, unknown>>, attributes: Readonly<Record<string, unknown>>) => Record<string, unknown>) | null;
  /** Account mappings: the event's values for its lead's account, in mapping order (empty: none); null when none apply to the OU. */
  readonly account: ((eventMetadata: Readonly<Record<string, unknown>>) => readonly unknown[]) | null;
  /** Hands the batch's account values over (per lead, in event order), in the batch's transaction. */
  flushAccount(m: EntityManager, items: { lead_ref: string; lead_id: string; values: readonly unknown[] }[]): Promise<void>;
}

/**
 * Port: what turns event metadata into lead (and account) attributes on ingest (PRF-2..4). The mappings module
 * implements it (globally), so the leads module never depends on it; without an implementation nothing is mapped.
 * `forBatch` is called once per batch and must be cheap (the OU's mappings cached, re-read only when they change).
 */
export abstract class LeadAttributeMapper {
  abstract forBatch(orgId: string, unitId: string, m: EntityManager): Promise<BatchAttributeMapping | null>;
}
