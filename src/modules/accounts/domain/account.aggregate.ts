import { DomainEvent, EventSourcedAggregate } from '../../../platform/event-store';
import {
  AccountCommitteeMemberRemovedPayload,
  AccountCommitteeMemberSetPayload,
  AccountCommitteeRefreshedPayload,
  AccountCreatedPayload,
  AccountEvent,
  AccountMergedIntoPayload,
  AccountMetadataChangedPayload,
  AccountStreamType,
  CommitteeMember,
  CommitteeRole,
} from './account-events';

export interface AccountState {
  exists: boolean;
  unit_id: string | null;
  account_id: string | null;
  metadata: Record<string, unknown>;
  name: string | null;
  domain: string | null;
  archived: boolean;
  deleted: boolean;
  committee: Record<string, CommitteeMember>;
}

const EMPTY: AccountState = {
  exists: false,
  unit_id: null,
  account_id: null,
  metadata: {},
  name: null,
  domain: null,
  archived: false,
  deleted: false,
  committee: {},
};

/** The outcome of a metadata patch: what changed (nothing: no event). */
export interface MetadataPatch {
  set: Record<string, unknown>;
  removed: string[];
  name?: string | null;
  domain?: string | null;
}

/**
 * The Account (ABM-2): created by grouping leads, edited through its metadata (ACC-5, account mappings), merged
 * into another account (ACC-7, archived), deleted (ACC-6), and holding its buying committee (BC-1..3). The account's
 * leads and aggregate figures are read models, not aggregate state: a lead's membership is decided by grouping.
 */
export class Account extends EventSourcedAggregate<AccountState> {
  static readonly streamType = AccountStreamType;
  private state: AccountState = structuredClone(EMPTY);

  get exists(): boolean {
    return this.state.exists && !this.state.deleted;
  }
  get live(): boolean {
    return this.exists && !this.state.archived;
  }
  get metadata(): Record<string, unknown> {
    return this.state.metadata;
  }
  get accountId(): string | null {
    return this.state.account_id;
  }
  get committee(): CommitteeMember[] {
    return Object.values(this.state.committee);
  }

  create(p: Omit<AccountCreatedPayload, 'at'>, at: Date): void {
    if (this.state.exists) return;
    this.raise<AccountCreatedPayload>(AccountEvent.Created, { ...p, at: at.toISOString() }, at);
  }

  /** ACC-5: shallow merge, `null` removes; answers whether anything changed. */
  patchMetadata(patch: { metadata?: Record<string, unknown>; name?: string; domain?: string }, cause: 'api' | 'mapping', at: Date): boolean {
    const set: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [k, v] of Object.entries(patch.metadata ?? {})) {
      if (v === null) {
        if (k in this.state.metadata) removed.push(k);
      } else if (JSON.stringify(this.state.metadata[k]) !== JSON.stringify(v)) set[k] = v;
    }
    const change: AccountMetadataChangedPayload = { set, removed, cause, at: at.toISOString() };
    if (patch.name !== undefined && patch.name !== this.state.name) change.name = patch.name;
    if (patch.domain !== undefined && patch.domain !== this.state.domain) change.domain = patch.domain;
    if (!Object.keys(set).length && !removed.length && change.name === undefined && change.domain === undefined) return false;
    this.raise(AccountEvent.MetadataChanged, change, at);
    return true;
  }

  /** Account mappings: the metadata the mapping fold computed replaces the keys it wrote. */
  applyMappedMetadata(next: Record<string, unknown>, at: Date): string[] {
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(next)) if (JSON.stringify(this.state.metadata[k]) !== JSON.stringify(v)) set[k] = v;
    if (!Object.keys(set).length) return [];
    this.raise<AccountMetadataChangedPayload>(AccountEvent.MetadataChanged, { set, removed: [], cause: 'mapping', at: at.toISOString() }, at);
    return Object.keys(set);
  }

  mergeInto(target: Account, counts: { leads: number; deals: number }, by: string | null, at: Date): void {
    this.raise<AccountMergedIntoPayload>(
      AccountEvent.MergedInto,
      { target_ref: target.id, target_account_id: target.accountId!, leads_reassigned: counts.leads, deals_reassigned: counts.deals, by, at: at.toISOString() },
      at,
    );
  }

  delete(by: string | null, at: Date): void {
    if (!this.exists) return;
    this.raise(AccountEvent.Deleted, { by, at: at.toISOString() }, at);
  }

  /** BC-2: manual add or role update; the member becomes manual (kept by refreshes). */
  setMember(m: { lead_ref: string; lead_id: string; role: CommitteeRole; notes: string | null }, at: Date): void {
    this.raise<AccountCommitteeMemberSetPayload>(AccountEvent.CommitteeMemberSet, { ...m, is_manual: true, at: at.toISOString() }, at);
  }

  hasMember(leadRef: string): boolean {
    return leadRef in this.state.committee;
  }

  removeMember(leadRef: string, at: Date): boolean {
    if (!this.hasMember(leadRef)) return false;
    this.raise<AccountCommitteeMemberRemovedPayload>(AccountEvent.CommitteeMemberRemoved, { lead_ref: leadRef, at: at.toISOString() }, at);
    return true;
  }

  /** BC-2: the inferred members replace the previous inferred ones; manual members are never overwritten. */
  refreshCommittee(inferred: CommitteeMember[], at: Date): void {
    const manual = new Set(this.committee.filter((m) => m.is_manual).map((m) => m.lead_ref));
    const members = inferred.filter((m) => !manual.has(m.lead_ref)).map((m) => ({ ...m, is_manual: false }));
    this.raise<AccountCommitteeRefreshedPayload>(AccountEvent.CommitteeRefreshed, { members, at: at.toISOString() }, at);
  }

  protected when(e: DomainEvent): void {
    const s = this.state;
    switch (e.type) {
      case AccountEvent.Created: {
        const p = e.payload as AccountCreatedPayload;
        Object.assign(s, { exists: true, unit_id: p.unit_id, account_id: p.account_id, name: p.name, domain: p.domain });
        return;
      }
      case AccountEvent.MetadataChanged: {
        const p = e.payload as AccountMetadataChangedPayload;
        const next = { ...s.metadata, ...p.set };
        for (const k of p.removed) delete next[k];
        s.metadata = next;
        if (p.name !== undefined) s.name = p.name;
        if (p.domain !== undefined) s.domain = p.domain;
        return;
      }
      case AccountEvent.MergedInto:
        s.archived = true;
        // as the read model: the source's committee does not stay behind (its leads moved to the target)
        s.committee = {};
        return;
      case AccountEvent.Deleted:
        s.deleted = true;
        s.committee = {};
        return;
      case AccountEvent.CommitteeMemberSet: {
        const p = e.payload as AccountCommitteeMemberSetPayload;
        s.committee[p.lead_ref] = { lead_ref: p.lead_ref, lead_id: p.lead_id, role: p.role, notes: p.notes, is_manual: p.is_manual };
        return;
      }
      case AccountEvent.CommitteeMemberRemoved:
        delete s.committee[(e.payload as AccountCommitteeMemberRemovedPayload).lead_ref];
        return;
      case AccountEvent.CommitteeRefreshed: {
        const p = e.payload as AccountCommitteeRefreshedPayload;
        const kept = Object.fromEntries(Object.entries(s.committee).filter(([, m]) => m.is_manual));
        for (const m of p.members) if (!kept[m.lead_ref]) kept[m.lead_ref] = m;
        s.committee = kept;
        return;
      }
    }
  }

  snapshot(): AccountState {
    return structuredClone(this.state);
  }

  restore(state: AccountState): void {
    this.state = structuredClone(state);
  }
}
