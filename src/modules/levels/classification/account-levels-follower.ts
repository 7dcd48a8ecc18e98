import { EntityManager } from 'typeorm';

/**
 * Port: what keeps the account levels of an OU's accounts current when its account level configuration changes
 * (create, update, delete, revert), in the configuration change's transaction. The accounts module implements it
 * (globally), as account scores and levels are its read model; the levels module never depends on it.
 */
export abstract class AccountLevelsFollower {
  /** Re-derives the level of every live account of the OU from the configuration as this transaction sees it. */
  abstract reclassifyAccounts(m: EntityManager, unitId: string): Promise<void>;
}
