import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { AggregateRepository, EventMetadata, uuidv7 } from '../../../platform/event-store';
import { Account, groupingKey, GroupingKey } from '../domain';
import { AccountScoring } from './account-scoring';
import { isFreeMailDomain } from './free-mail';

export interface GroupingOutcome {
  /** leads whose account changed (linked, moved or unlinked) */
  linked: number;
  accounts_created: number;
  /** every account whose figures may have moved: old and new accounts of moved leads, accounts of the given leads */
  touched: Set<string>;
}

/**
 * ABM-2 set-based: groups the given leads of one OU (one read, at most one account append, one lead update per
 * call, plus one committee append when moved leads were members) by `groupingKey`: the lead's own account id, else
 * the accountId of its events' metadata (`eventHints`, the latest per lead; a lead once grouped by one keeps it until
 * another comes), else its non-free-mail e-mail domain. Missing accounts are created as Account aggregates (an `id:`
 * key naming an existing account's public id links to it); a key whose account was merged follows `merged_into`. A
 * lead whose key did not change since it was last grouped is left alone, so an unlinked lead (ACC-6) stays unlinked
 * until its key changes. Accounts whose membership moved are re-scored (account hard-DQ entering or leaving the
 * lead), and a lead that left an account leaves its buying committee.
 */
@Injectable()
export class AccountGrouping {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly scoring: AccountScoring,
    private readonly clock: Clock,
  ) {}

  async group(
    m: EntityManager,
    orgId: string,
    unitId: string,
    leadRefs: readonly string[],
    eventHints: ReadonlyMap<string, string> = new Map(),
    meta: EventMetadata = {},
  ): Promise<GroupingOutcome> {
    const out: GroupingOutcome = { linked: 0, accounts_created: 0, touched: new Set() };
    if (!leadRefs.length) return out;
    const leads = await selectRows<{
      id: string;
      status: string;
      account_id: string | null;
      metadata_account_id: unknown;
      account_ref: string | null;
      account_key: string | null;
      email: string | null;
    }>(
      m,
      sql`SELECT l.id, l.status, l.account_id, l.metadata->'account_id' AS metadata_account_id, l.account_ref, l.account_key,
                 (SELECT min(a.value) FROM lead_aliases a WHERE a.lead_ref = l.id AND a.kind = 'email') AS email
            FROM leads l WHERE l.id = ANY(${[...leadRefs]}::text[]) AND l.unit_id = ${unitId}`,
    );
    const wanted = new Map<string, { lead: (typeof leads)[number]; key: GroupingKey | null }>();
    for (const l of leads) {
      if (l.account_ref) out.touched.add(l.account_ref);
      if (l.status !== 'active') {
        // a merged or erased lead leaves its account
        if (l.account_ref) wanted.set(l.id, { lead: l, key: null });
        continue;
      }
      const kept = l.account_key?.startsWith('id:') ? l.account_key.slice(3) : null;
      const key = groupingKey(
        { account_id: l.account_id, metadata_account_id: l.metadata_account_id, event_account_id: eventHints.get(l.id) ?? kept, email: l.email },
        isFreeMailDomain,
      );
      if ((key?.key ?? null) !== l.account_key && key) wanted.set(l.id, { lead: l, key });
    }
    if (!wanted.size) return out;
    const keys = [...new Map([...wanted.values()].filter((w) => w.key).map((w) => [w.key!.key, w.key!])).values()];
    const refOf = await this.resolve(m, unitId, keys);
    const created: Account[] = [];
    const at = this.clock.now();
    for (const k of keys) {
      if (refOf.has(k.key)) continue;
      const account = new Account(uuidv7());
      account.create({ org_id: orgId, unit_id: unitId, account_id: k.account_id, group_key: k.key, name: k.name, domain: k.domain }, at);
      created.push(account);
      refOf.set(k.key, account.id);
    }
    if (created.length) await this.repo.saveMany(created, { ...meta, org_id: orgId, unit_id: unitId }, m);
    out.accounts_created = created.length;
    const moves = [...wanted.values()].map(({ lead, key }) => ({
      id: lead.id,
      from: lead.account_ref,
      ref: key ? refOf.get(key.key)! : null,
      key: key?.key ?? lead.account_key,
    }));
    await m.query(
      `UPDATE leads l SET account_ref = x.ref, account_key = x.key FROM jsonb_to_recordset($1::jsonb) AS x(id text, ref text, key text) WHERE l.id = x.id`,
      [JSON.stringify(moves)],
    );
    // a lead whose new key names the account it is already in (e.g. the accountId ADM-2 wrote from that account) only
    // records its key: it did not move
    const moved = moves.filter((mv) => mv.ref !== mv.from);
    out.linked = moved.length;
    const arrived = new Set<string>();
    for (const mv of moved) {
      if (!mv.ref) continue;
      arrived.add(mv.ref);
      out.touched.add(mv.ref);
    }
    await this.leaveCommittees(m, moved, { ...meta, org_id: orgId, unit_id: unitId }, at);
    await this.scoring.evaluate(m, orgId, unitId, [...arrived]);
    await this.scoring.release(
      m,
      moved.filter((mv) => !mv.ref).map((mv) => mv.id),
    );
    return out;
  }

  /**
   * The account each key groups into: the account of that group key, else (an `id:` key) the account whose public id
   * it names, so that an accountId naming an account grouped by domain (`acct_<domain>`, as ADM-2 writes it into event
   * metadata and as the API shows it) links to that account instead of creating a second one with the same public id.
   * A merged account leads to its target.
   */
  private async resolve(m: EntityManager, unitId: string, keys: GroupingKey[]): Promise<Map<string, string>> {
    const named = keys.filter((k) => k.key.startsWith('id:')).map((k) => k.account_id);
    const rows = await selectRows<{ group_key: string; account_id: string; id: string }>(
      m,
      sql`SELECT a.group_key, a.account_id, coalesce(t.id, a.id) AS id FROM accounts a LEFT JOIN accounts t ON t.id = a.merged_into
           WHERE a.unit_id = ${unitId} AND (a.group_key = ANY(${keys.map((k) => k.key)}::text[]) OR a.account_id = ANY(${named}::text[]))`,
    );
    const byKey = new Map(rows.map((r) => [r.group_key, r.id]));
    const byPublicId = new Map(rows.map((r) => [r.account_id, r.id]));
    const out = new Map<string, string>();
    for (const k of keys) {
      const ref = byKey.get(k.key) ?? (k.key.startsWith('id:') ? byPublicId.get(k.account_id) : undefined);
      if (ref) out.set(k.key, ref);
    }
    return out;
  }

  /**
   * BC: a lead that left an account (moved to another, unlinked, merged away or erased) leaves that account's buying
   * committee, manual member or not, through the Account aggregate (CommitteeMemberRemoved).
   */
  private async leaveCommittees(m: EntityManager, moved: { id: string; ref: string | null }[], meta: EventMetadata, at: Date): Promise<void> {
    if (!moved.length) return;
    const to = new Map(moved.map((mv) => [mv.id, mv.ref]));
    const stale = (
      await selectRows<{ account_ref: string; lead_ref: string }>(
        m,
        sql`SELECT account_ref, lead_ref FROM account_committee_members WHERE lead_ref = ANY(${[...to.keys()]}::text[])`,
      )
    ).filter((r) => r.account_ref !== to.get(r.lead_ref));
    if (!stale.length) return;
    const accounts = await this.repo.loadMany(Account, [...new Set(stale.map((r) => r.account_ref))], m);
    for (const r of stale) accounts.get(r.account_ref)?.removeMember(r.lead_ref, at);
    await this.repo.saveMany([...accounts.values()], meta, m);
  }
}
