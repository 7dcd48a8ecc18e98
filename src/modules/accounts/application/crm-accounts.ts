import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { AggregateRepository, EventMetadata, uuidv7 } from '../../../platform/event-store';
import { recordMetadataKeys } from '../../mappings';
import { Account, nameFromDomain } from '../domain';
import { AccountFigures } from './account-figures';
import { AccountScoring } from './account-scoring';

/** A company of a CRM (HubSpot), as an account takes it in. */
export interface CrmCompany {
  /** the CRM's id of the company, kept in the account's metadata under `metadataKey` */
  external_id: string;
  name: string | null;
  /** lower-cased domain, or null */
  domain: string | null;
  /** properties merged into the account's metadata (null/absent values are not written) */
  metadata: Record<string, unknown>;
}

/**
 * Companies of a CRM into Account aggregates (DEAL-4, HS-7): a company with a domain is the account that domain groups
 * leads into (`domain:<domain>`, public id `acct_<domain>`, so leads with e-mails at that domain meet it), one without
 * has its own (`id:<prefix><crm id>`). Missing accounts are created, existing ones take the company's name, domain and
 * properties (cause `mapping`); changed accounts are re-scored by the OU's account rules. Answers the public account id
 * per CRM company id. One call, one caller's transaction.
 */
@Injectable()
export class CrmAccounts {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly scoring: AccountScoring,
    private readonly figures: AccountFigures,
    private readonly clock: Clock,
  ) {}

  async upsert(
    m: EntityManager,
    orgId: string,
    unitId: string,
    companies: readonly CrmCompany[],
    opts: { idPrefix: string; metadataKey: string },
    meta: EventMetadata,
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!companies.length) return out;
    const keyOf = (c: CrmCompany) => (c.domain ? `domain:${c.domain}` : `id:${opts.idPrefix}${c.external_id}`);
    const publicIdOf = (c: CrmCompany) => (c.domain ? `acct_${c.domain}` : `${opts.idPrefix}${c.external_id}`);
    const keys = [...new Set(companies.map(keyOf))];
    const rows = await selectRows<{ id: string; group_key: string; account_id: string; merged_to: string | null; merged_account_id: string | null }>(
      m,
      sql`SELECT a.id, a.group_key, a.account_id, t.id AS merged_to, t.account_id AS merged_account_id
            FROM accounts a LEFT JOIN accounts t ON t.id = a.merged_into
           WHERE a.unit_id = ${unitId} AND a.group_key = ANY(${keys}::text[])`,
    );
    const existing = new Map(rows.map((r) => [r.group_key, { ref: r.merged_to ?? r.id, account_id: r.merged_account_id ?? r.account_id }]));
    const loaded = await this.repo.loadMany(Account, [...new Set([...existing.values()].map((e) => e.ref))], m);
    const at = this.clock.now();
    const changed = new Set<string>();
    const created = new Map<string, Account>();
    const keys_written = new Set<string>();
    for (const c of companies) {
      const key = keyOf(c);
      const metadata: Record<string, unknown> = { [opts.metadataKey]: c.external_id };
      for (const [k, v] of Object.entries(c.metadata)) if (v !== null && v !== undefined) metadata[k] = v;
      const name = c.name ?? (c.domain ? nameFromDomain(c.domain) : null);
      let account: Account | undefined;
      const found = existing.get(key);
      if (found) {
        account = loaded.get(found.ref);
        out.set(c.external_id, found.account_id);
      } else {
        account = created.get(key);
        if (!account) {
          account = new Account(uuidv7());
          account.create({ org_id: orgId, unit_id: unitId, account_id: publicIdOf(c), group_key: key, name, domain: c.domain }, at);
          created.set(key, account);
          loaded.set(account.id, account);
        }
        out.set(c.external_id, publicIdOf(c));
      }
      if (!account?.live) continue;
      if (account.patchMetadata({ metadata, ...(name ? { name } : {}), ...(c.domain ? { domain: c.domain } : {}) }, 'mapping', at)) changed.add(account.id);
      for (const k of Object.keys(metadata)) keys_written.add(k);
    }
    await this.repo.saveMany([...loaded.values()], { ...meta, org_id: orgId, unit_id: unitId }, m);
    await recordMetadataKeys(m, 'account', orgId, unitId, [...keys_written]);
    if (changed.size) {
      await this.scoring.evaluate(m, orgId, unitId, [...changed]);
      await this.figures.refresh(
        m,
        [...created.values()].map((a) => a.id),
      );
    }
    return out;
  }
}
