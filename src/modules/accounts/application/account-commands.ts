import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { AggregateRepository } from '../../../platform/event-store';
import { PlatformErrors } from '../../../platform/http';
import { currentUnit, RequestContext, unitScope } from '../../../platform/tenancy';
import { recordMetadataKeys } from '../../mappings';
import { AccountErrors } from '../accounts.errors';
import { Account } from '../domain';
import { AccountDeleteResultDto, AccountMergeResultDto, AccountMetadataPatchDto } from '../http/accounts.dto';
import { AccountFigures } from './account-figures';
import { AccountScoring } from './account-scoring';

/** Metadata keys of an account: as lead metadata keys (LEAD-5). */
const KEY = /^[A-Za-z0-9_\-. ]{1,64}$/;

/** ABM mutations on accounts (ACC-5..7): each one transaction through the Account aggregate, audited by the request. */
@Injectable()
export class AccountCommands {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly scoring: AccountScoring,
    private readonly figures: AccountFigures,
    private readonly clock: Clock,
  ) {}

  /** ACC-5: partial merge (null removes), name/domain; the account is re-scored and its keys recorded. */
  async patchMetadata(accountId: string, body: AccountMetadataPatchDto): Promise<void> {
    const bad = Object.keys(body.metadata ?? {}).filter((k) => !KEY.test(k));
    if (bad.length) {
      throw PlatformErrors.error('validation_failed', `metadata keys must be 1-64 characters of letters, digits, _ - . or space: ${bad.join(', ')}`, [
        { field: `metadata.${bad[0]}`, reason: 'key must be 1-64 characters of letters, digits, underscores, dashes, dots or spaces' },
      ]);
    }
    const { orgId, unitId } = currentUnit();
    const ref = await this.liveRef(accountId);
    await this.repo.transaction(async (m) => {
      const account = await this.repo.load(Account, ref, m);
      if (!account.live) throw AccountErrors.notFound('account_not_found', 'account');
      if (!account.patchMetadata({ metadata: body.metadata, name: body.name, domain: body.domain?.toLowerCase() }, 'api', this.clock.now())) return;
      await this.repo.save(account, RequestContext.eventMetadata(), m);
      await recordMetadataKeys(
        m,
        'account',
        orgId,
        unitId,
        Object.entries(body.metadata ?? {})
          .filter(([, v]) => v !== null)
          .map(([k]) => k),
      );
      await this.scoring.evaluate(m, orgId, unitId, [ref]);
      await this.figures.refresh(m, [ref]);
    });
    RequestContext.describe({ verb: 'update', entityType: 'account', entityId: accountId, summary: `updated metadata of account ${accountId}` });
  }

  /** ACC-6: the OU's leads are unlinked from these accounts (and released from their account DQ); the accounts, now unreferenced, are deleted. */
  async deleteMany(accountIds: string[]): Promise<AccountDeleteResultDto> {
    const ids = [...new Set(accountIds)];
    const rows = await selectRows<{ id: string; account_id: string }>(
      this.ds,
      sql`SELECT id, account_id FROM accounts WHERE ${unitScope()} AND account_id = ANY(${ids}::text[]) AND archived_at IS NULL`,
    );
    if (rows.length !== ids.length) throw AccountErrors.notFound('account_not_found', 'account');
    const refs = rows.map((r) => r.id);
    const result = await this.repo.transaction(async (m) => {
      const accounts = await this.repo.loadMany(Account, refs, m);
      const unlinked = await selectRows<{ id: string }>(
        m,
        sql`WITH u AS (UPDATE leads SET account_ref = NULL WHERE account_ref = ANY(${refs}::text[]) RETURNING id) SELECT id FROM u`,
      );
      await this.scoring.release(
        m,
        unlinked.map((l) => l.id),
      );
      const at = this.clock.now();
      const by = RequestContext.actor();
      for (const a of accounts.values()) a.delete(by, at);
      await this.repo.saveMany([...accounts.values()], RequestContext.eventMetadata(), m);
      return { leads_unlinked: unlinked.length, accounts_deleted: accounts.size };
    });
    RequestContext.describe({
      verb: 'delete',
      entityType: 'account',
      entityId: ids.join(','),
      summary: `deleted ${result.accounts_deleted} account(s), unlinked ${result.leads_unlinked} lead(s)`,
    });
    return result;
  }

  /** ACC-7: leads and deals of the source move to the target; the source is archived; permanent. */
  async merge(sourceId: string, targetId: string): Promise<AccountMergeResultDto> {
    if (sourceId === targetId) {
      throw PlatformErrors.error('validation_failed', 'target_id must differ from the source account', [
        { field: 'target_id', reason: 'must differ from the source account' },
      ]);
    }
    const { orgId, unitId } = currentUnit();
    const source = await this.liveRef(sourceId);
    const target = await this.liveRef(targetId);
    const result = await this.repo.transaction(async (m) => {
      const loaded = await this.repo.loadMany(Account, [source, target], m);
      const s = loaded.get(source)!;
      const t = loaded.get(target)!;
      if (!s.live || !t.live) throw AccountErrors.notFound('account_not_found', 'account');
      const leads = await selectRows<{ id: string }>(
        m,
        sql`WITH u AS (UPDATE leads SET account_ref = ${target} WHERE account_ref = ${source} RETURNING id) SELECT id FROM u`,
      );
      const deals = await selectRows<{ id: string }>(
        m,
        sql`WITH u AS (UPDATE deals SET account_id = ${targetId}, updated_at = ${this.clock.now().toISOString()} WHERE ${unitScope()} AND account_id = ${sourceId} RETURNING id)
            SELECT id FROM u`,
      );
      const counts = { leads: leads.length, deals: deals.length };
      s.mergeInto(t, counts, RequestContext.actor(), this.clock.now());
      await this.repo.saveMany([s], RequestContext.eventMetadata(), m);
      await this.scoring.evaluate(m, orgId, unitId, [target]);
      await this.figures.refresh(m, [target]);
      return { leads_reassigned: counts.leads, deals_reassigned: counts.deals };
    });
    RequestContext.describe({
      verb: 'merge',
      entityType: 'account',
      entityId: sourceId,
      summary: `merged account ${sourceId} into ${targetId}: ${result.leads_reassigned} lead(s), ${result.deals_reassigned} deal(s) reassigned`,
    });
    return result;
  }

  private async liveRef(accountId: string): Promise<string> {
    const row = await selectOne<{ id: string }>(
      this.ds,
      sql`SELECT id FROM accounts WHERE ${unitScope()} AND account_id = ${accountId} AND archived_at IS NULL`,
    );
    if (!row) throw AccountErrors.notFound('account_not_found', 'account');
    return row.id;
  }
}
