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
 * call) by `groupingKey`: the lead's own account id, else the accountId of its events' metadata (`eventHints`, the
 * latest per lead; a lead once grouped by one keeps it until another comes), else its non-free-mail e-mail domain.
 * Missing accounts are created as Account aggregates; a key whose account was merged follows `merged_into`. A lead
 * whose key did not change since it was last grouped is left alone, so an unlinked lead (ACC-6) stays unlinked until
 * its key changes. Accounts whose membership moved are re-scored (account hard-DQ entering or leaving the lead).
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
    const existing = await selectRows<{ group_key: string; id: string }>(
      m,
      sql`SELECT a.group_key, coalesce(t.id, a.id) AS id FROM accounts a LEFT JOIN accounts t ON t.id = a.merged_into
           WHERE a.unit_id = ${unitId} AND a.group_key = ANY(${keys.map((k) => k.key)}::text[])`,
    );
    const refOf = new Map(existing.map((r) => [r.group_key, r.id]));
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
    const moves = [...wanted.values()].map(({ lead, key }) => ({ id: lead.id, ref: key ? refOf.get(key.key)! : null, key: key?.key ?? lead.account_key }));
    await m.query(
      `UPDATE leads l SET account_ref = x.ref, account_key = x.key FROM jsonb_to_recordset($1::jsonb) AS x(id text, ref text, key text) WHERE l.id = x.id`,
      [JSON.stringify(moves)],
    );
    out.linked = moves.length;
    const arrived = new Set<string>();
    for (const mv of moves) {
      if (!mv.ref) continue;
      arrived.add(mv.ref);
      out.touched.add(mv.ref);
    }
    await this.scoring.evaluate(m, orgId, unitId, [...arrived]);
    await this.scoring.release(
      m,
      moves.filter((mv) => !mv.ref).map((mv) => mv.id),
    );
    return out;
  }
}
