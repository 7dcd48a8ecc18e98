import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { AggregateRepository } from '../../../platform/event-store';
import { QueueName } from '../../../platform/queues';
import { BackfillJobData, BackfillJobs, backfillFieldMappings, recordMetadataKeys, UnitMappingsCache } from '../../mappings';
import { Metadata, ProfileScoring } from '../../scoring';
import { AccountFigures } from '../application/account-figures';
import { AccountGrouping } from '../application/account-grouping';
import { AccountScoring } from '../application/account-scoring';
import { Account } from '../domain';
import { BackfillAccountMappingResultDto, BackfillEventAccountIdResultDto } from '../http/accounts.dto';

export const BACKFILL_ACCOUNT_MAPPING = 'accounts.backfill-account-mapping';
export const BACKFILL_EVENT_ACCOUNT_ID = 'accounts.backfill-event-account-id';
BackfillJobs.register(BACKFILL_ACCOUNT_MAPPING, 'account_mapping');
BackfillJobs.register(BACKFILL_EVENT_ACCOUNT_ID, 'event_account_id');

/** Leads per transaction. */
const CHUNK = 1000;

const progressOf = (done: number, total: number) => (total ? Math.min(100, Math.floor((done / total) * 100)) : 100);

/**
 * ADM-1 and ADM-2 on the worker (queue `maintenance`, the one backfill mechanism of the mappings module; followed at
 * GET /backfill/jobs/{jobId}). Both walk the OU's leads by chunks of CHUNK in id order, one transaction per chunk,
 * and report progress; both are safe to re-run (a second run links, creates and updates nothing).
 */
@Processor(QueueName.Maintenance)
export class AccountBackfillsProcessor {
  private readonly log = new Logger('AccountBackfills');

  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly grouping: AccountGrouping,
    private readonly scoring: AccountScoring,
    private readonly figures: AccountFigures,
    private readonly profiles: ProfileScoring,
    private readonly mappings: UnitMappingsCache,
    private readonly clock: Clock,
  ) {}

  /**
   * ADM-1: every live lead of the OU is grouped (its own account id, else the latest accountId of its events, else its
   * e-mail domain), each touched account's mapped metadata is re-derived from its leads' recorded events with the
   * account mappings (honouring update behaviours: derived, not accumulated), accounts are re-scored, and the leads'
   * profile scores re-evaluated.
   */
  @Process({ name: BACKFILL_ACCOUNT_MAPPING, concurrency: 1 })
  async accountMapping(job: Job<BackfillJobData>): Promise<BackfillAccountMappingResultDto> {
    const { org_id, unit_id, actor } = job.data;
    const total = await this.liveLeads(unit_id);
    const out: BackfillAccountMappingResultDto = { leads_processed: 0, accounts_linked: 0, accounts_created: 0, profile_scores_updated: 0 };
    let after = '';
    for (;;) {
      const refs = await this.chunk(unit_id, after);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      const publish = await this.repo.transaction(async (m) => {
        const hints = new Map(
          (
            await selectRows<{ lead_ref: string; account_id: string }>(
              m,
              sql`SELECT DISTINCT ON (lead_ref) lead_ref, metadata->>'accountId' AS account_id FROM lead_events
                   WHERE lead_ref = ANY(${refs}::text[]) AND coalesce(metadata->>'accountId', '') <> '' ORDER BY lead_ref, occurred_at DESC, event_id DESC`,
            )
          ).map((r) => [r.lead_ref, r.account_id]),
        );
        const grouped = await this.grouping.group(m, org_id, unit_id, refs, hints, { actor });
        out.accounts_linked += grouped.linked;
        out.accounts_created += grouped.accounts_created;
        const touched = await selectRows<{ account_ref: string }>(
          m,
          sql`SELECT DISTINCT account_ref FROM leads WHERE id = ANY(${refs}::text[]) AND account_ref IS NOT NULL`,
        );
        const accounts = [...new Set([...grouped.touched, ...touched.map((t) => t.account_ref)])];
        await this.applyAccountMappings(m, org_id, unit_id, accounts, actor);
        await this.figures.refresh(m, accounts);
        const { outcome, afterCommit } = await this.profiles.reevaluate(m, org_id, unit_id, refs);
        out.profile_scores_updated += outcome.scores_changed;
        return afterCommit;
      });
      await publish();
      out.leads_processed += refs.length;
      await job.progress(progressOf(out.leads_processed, total));
      this.log.log({ msg: 'account mapping backfill progress', unit_id, processed: out.leads_processed, total, linked: out.accounts_linked });
    }
    await job.progress(100);
    return out;
  }

  /**
   * ADM-2: each recorded event of the OU's leads without `accountId` in its metadata gets its lead's account id there
   * (events that have one are untouched); `leads_without_account` counts the live leads with events and no account.
   * Written on the `lead_events` read model (event metadata as reads and exports show it).
   */
  @Process({ name: BACKFILL_EVENT_ACCOUNT_ID, concurrency: 1 })
  async eventAccountId(job: Job<BackfillJobData>): Promise<BackfillEventAccountIdResultDto> {
    const { unit_id } = job.data;
    const total = await this.liveLeads(unit_id);
    const out: BackfillEventAccountIdResultDto = { events_scanned: 0, events_updated: 0, leads_without_account: 0 };
    let after = '';
    let done = 0;
    for (;;) {
      const refs = await this.chunk(unit_id, after);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      await this.ds.transaction(async (m) => {
        const [row] = await m.query(
          `WITH l AS (SELECT l.id, a.account_id FROM leads l LEFT JOIN accounts a ON a.id = l.account_ref WHERE l.id = ANY($1::text[])),
           scanned AS (SELECT count(*)::int AS n FROM lead_events e WHERE e.lead_ref = ANY($1::text[])),
           orphans AS (SELECT count(*)::int AS n FROM l WHERE l.account_id IS NULL AND EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_ref = l.id)),
           upd AS (
             UPDATE lead_events e SET metadata = e.metadata || jsonb_build_object('accountId', l.account_id)
               FROM l WHERE e.lead_ref = l.id AND l.account_id IS NOT NULL AND coalesce(e.metadata->>'accountId', '') = ''
             RETURNING 1)
           SELECT (SELECT n FROM scanned) AS scanned, (SELECT count(*)::int FROM upd) AS updated, (SELECT n FROM orphans) AS orphans`,
          [refs],
        );
        out.events_scanned += row.scanned;
        out.events_updated += row.updated;
        out.leads_without_account += row.orphans;
      });
      done += refs.length;
      await job.progress(progressOf(done, total));
      this.log.log({ msg: 'event accountId backfill progress', unit_id, processed: done, total, updated: out.events_updated });
    }
    await job.progress(100);
    return out;
  }

  /** Account mappings re-derived per account from its leads' events (oldest first), as the profile mapping backfill does for leads. */
  private async applyAccountMappings(m: import('typeorm').EntityManager, orgId: string, unitId: string, refs: string[], actor: string): Promise<void> {
    const { account } = await this.mappings.load(orgId, unitId, m);
    if (!account.length || !refs.length) return;
    const history = new Map<string, Metadata[]>();
    const rows = await selectRows<{ account_ref: string; metadata: Metadata }>(
      m,
      sql`SELECT l.account_ref, e.metadata FROM leads l JOIN lead_events e ON e.lead_ref = l.id
           WHERE l.account_ref = ANY(${refs}::text[]) AND l.status = 'active' AND e.source <> 'system' AND e.filter_id IS NULL
           ORDER BY l.account_ref, e.occurred_at, e.event_id`,
    );
    for (const r of rows) history.set(r.account_ref, [...(history.get(r.account_ref) ?? []), r.metadata]);
    const accounts = await this.repo.loadMany(Account, [...history.keys()], m);
    const at = this.clock.now();
    const keys = new Set<string>();
    const changed: string[] = [];
    for (const [ref, a] of accounts) {
      if (!a.live) continue;
      const written = a.applyMappedMetadata(backfillFieldMappings(account, history.get(ref) ?? [], a.metadata), at);
      if (written.length) changed.push(ref);
      for (const k of written) keys.add(k);
    }
    await this.repo.saveMany([...accounts.values()], { org_id: orgId, unit_id: unitId, actor }, m);
    await recordMetadataKeys(m, 'account', orgId, unitId, [...keys]);
    await this.scoring.evaluate(m, orgId, unitId, changed);
  }

  private async liveLeads(unitId: string): Promise<number> {
    return (await selectOne<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM leads WHERE unit_id = ${unitId} AND status = 'active'`))!.n;
  }

  private async chunk(unitId: string, after: string): Promise<string[]> {
    return (
      await selectRows<{ id: string }>(
        this.ds,
        sql`SELECT id FROM leads WHERE unit_id = ${unitId} AND status = 'active' AND id > ${after} ORDER BY id LIMIT ${CHUNK}`,
      )
    ).map((r) => r.id);
  }
}
