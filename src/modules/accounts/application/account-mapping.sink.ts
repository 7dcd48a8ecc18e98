import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { AggregateRepository } from '../../../platform/event-store';
import { AccountMappingBatchItem, AccountMappingSink, applyMappedValues } from '../../mappings';
import { Account } from '../domain';
import { AccountGrouping } from './account-grouping';
import { AccountScoring } from './account-scoring';

/**
 * The accounts module's ACCOUNT_MAPPING_SINK (PRF-4 for accounts): inside the ingest batch's transaction, leads not
 * grouped yet are grouped first (the same AccountGrouping as the async projection, without event hints: the mapped
 * event's values must land on the lead's account even when it is the lead's first event), then each account's values
 * are folded in event order with `applyMappedValues` over its current metadata, appended as one
 * AccountMetadataChanged per account (one append for the batch), and the changed accounts are re-scored. Only called
 * while ABM is on and the OU has account mappings.
 */
@Injectable()
export class AccountMappingSinkService implements AccountMappingSink {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly grouping: AccountGrouping,
    private readonly scoring: AccountScoring,
    private readonly clock: Clock,
  ) {}

  async apply(m: EntityManager, unit: { org_id: string; unit_id: string }, items: AccountMappingBatchItem[]): Promise<string[]> {
    if (!items.length) return [];
    const refs = [...new Set(items.map((i) => i.lead_ref))];
    let rows = await this.accountsOf(m, refs);
    const ungrouped = refs.filter((r) => !rows.has(r));
    if (ungrouped.length) {
      await this.grouping.group(m, unit.org_id, unit.unit_id, ungrouped, new Map(), { actor: 'system:account-mapping' });
      rows = await this.accountsOf(m, refs);
    }
    const byAccount = new Map<string, AccountMappingBatchItem['values']>();
    for (const item of items) {
      const ref = rows.get(item.lead_ref);
      if (!ref) continue;
      byAccount.set(ref, [...(byAccount.get(ref) ?? []), ...item.values]);
    }
    if (!byAccount.size) return [];
    const accounts = await this.repo.loadMany(Account, [...byAccount.keys()], m);
    const at = this.clock.now();
    const keys = new Set<string>();
    const changed: string[] = [];
    for (const [ref, values] of byAccount) {
      const account = accounts.get(ref);
      if (!account?.live) continue;
      const written = account.applyMappedMetadata(applyMappedValues(values, account.metadata), at);
      if (written.length) changed.push(ref);
      for (const k of written) keys.add(k);
    }
    await this.repo.saveMany([...accounts.values()], { org_id: unit.org_id, unit_id: unit.unit_id, actor: 'system:account-mapping' }, m);
    await this.scoring.evaluate(m, unit.org_id, unit.unit_id, changed);
    return [...keys];
  }

  private async accountsOf(m: EntityManager, leadRefs: string[]): Promise<Map<string, string>> {
    const rows = await selectRows<{ id: string; account_ref: string }>(
      m,
      sql`SELECT id, account_ref FROM leads WHERE id = ANY(${leadRefs}::text[]) AND account_ref IS NOT NULL`,
    );
    return new Map(rows.map((r) => [r.id, r.account_ref]));
  }
}
