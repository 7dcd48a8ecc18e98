/**
 * Domain events of the Account aggregate (stream type `account`, stream id = `accounts.id`). The `accounts` and
 * `account_committee_members` read models are projected from them inline.
 */
export const AccountStreamType = 'account';

export const AccountEvent = {
  Created: 'AccountCreated',
  MetadataChanged: 'AccountMetadataChanged',
  MergedInto: 'AccountMergedInto',
  Deleted: 'AccountDeleted',
  CommitteeMemberSet: 'AccountCommitteeMemberSet',
  CommitteeMemberRemoved: 'AccountCommitteeMemberRemoved',
  CommitteeRefreshed: 'AccountCommitteeRefreshed',
} as const;

export const COMMITTEE_ROLES = ['decision_maker', 'influencer', 'champion', 'kol', 'other'] as const;
export type CommitteeRole = (typeof COMMITTEE_ROLES)[number];

export interface AccountCreatedPayload {
  org_id: string;
  unit_id: string;
  account_id: string;
  group_key: string;
  name: string | null;
  domain: string | null;
  at: string;
}

/** ACC-5: `set` is merged (shallow), `removed` keys dropped; `name`/`domain` change only when present. */
export interface AccountMetadataChangedPayload {
  set: Record<string, unknown>;
  removed: string[];
  name?: string | null;
  domain?: string | null;
  /** `api` (PATCH), `mapping` (account mappings applied on ingest) */
  cause: 'api' | 'mapping';
  at: string;
}

/** ACC-7 on the source's stream: archived, its leads and deals moved to the target. */
export interface AccountMergedIntoPayload {
  target_ref: string;
  target_account_id: string;
  leads_reassigned: number;
  deals_reassigned: number;
  by: string | null;
  at: string;
}

/** ACC-6: the account's leads were unlinked and it is gone. */
export interface AccountDeletedPayload {
  by: string | null;
  at: string;
}

export interface CommitteeMember {
  lead_ref: string;
  lead_id: string;
  role: CommitteeRole;
  notes: string | null;
  is_manual: boolean;
}

/** BC-2: a member added or changed (manual adds and updates). */
export interface AccountCommitteeMemberSetPayload extends CommitteeMember {
  at: string;
}

export interface AccountCommitteeMemberRemovedPayload {
  lead_ref: string;
  at: string;
}

/** BC-2/BC-3: the inferred (non-manual) members after a refresh; manual members are untouched. */
export interface AccountCommitteeRefreshedPayload {
  members: CommitteeMember[];
  at: string;
}
