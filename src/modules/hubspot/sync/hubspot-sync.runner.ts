import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { AggregateRepository } from '../../../platform/event-store';
import { CrmAccounts, CrmCompany } from '../../accounts';
import { clientEventUuid, IngestPipeline } from '../../ingestion';
import { ImportLeadRowsCommand, LeadImportRow } from '../../leads';
import { mappedValues, UnitMappingsCache } from '../../mappings';
import { ProfileScoring } from '../../scoring';
import { HubSpotApi, HubSpotHttpError } from '../client/hubspot-api';
import { HubSpotConnections } from '../connection/hubspot-connections.service';
import {
  archivedSince,
  changedSince,
  companyDomain,
  contactAlias,
  CrmObject,
  CrmPage,
  dealRecord,
  ENGAGEMENT_TYPES,
  EngagementType,
  engagementEvents,
  OBJECT_PROPERTIES,
  pipelineStages,
  presentProperties,
} from '../domain';

/**
 * A phase of a run: deal pipelines, an object type, the deals archived (deleted) in HubSpot, or an engagement type's
 * history.
 */
export type SyncPhase = 'pipelines' | 'companies' | 'contacts' | 'deals' | 'deals_archived' | EngagementType;

/** The phases of every run that takes contacts, companies and deals (a backfill with contacts, each incremental sync). */
export const CRM_PHASES: SyncPhase[] = ['pipelines', 'companies', 'contacts', 'deals', 'deals_archived'];

export interface SyncRunRow {
  id: string;
  org_id: string;
  unit_id: string;
  kind: 'backfill' | 'incremental';
  status: string;
  phases: SyncPhase[];
  phase: SyncPhase | null;
  cursor: string | null;
  since: Date | null;
  counts: Record<string, number>;
  created_by: string | null;
  started_at: Date;
}

/** Objects taken in per transaction (HubSpot pages hold at most 100). */
export const CHUNK_OBJECTS = 500;

/** A run that must not be retried: the connection is gone or broken (the run fails at once). */
export class SyncCannotRun extends Error {}

const isEngagement = (p: string): p is EngagementType => (ENGAGEMENT_TYPES as readonly string[]).includes(p);
/** HubSpot's id of a company, kept in the account's metadata. */
export const COMPANY_ID_KEY = 'hubspot_company_id';

/**
 * HS-2/HS-7/DEAL-4 in the worker: walks a run's phases in order, page by page (`after`), and commits each page
 * together with the run's position (phase, HubSpot cursor, counts), so a restarted job resumes at the page it stopped
 * at. Contacts become leads by their e-mail alias (the leads module's ImportLeadRows command; they also get an
 * `external_id` alias `hubspot:<id>`; properties through the OU's profile mappings), companies accounts (CrmAccounts),
 * deals `deals` rows scored by the OU's deal rules, pipelines `deal_pipelines`, engagements events of their contacts'
 * leads through the ingest pipeline with ids derived from HubSpot's (a re-run records nothing twice; a backfill fires
 * no triggers). An incremental run takes only objects changed since the connection's last sync.
 */
@Injectable()
export class HubSpotSyncRunner {
  private readonly log = new Logger('HubSpotSync');

  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
    private readonly api: HubSpotApi,
    private readonly connections: HubSpotConnections,
    private readonly accounts: CrmAccounts,
    private readonly mappings: UnitMappingsCache,
    private readonly profiles: ProfileScoring,
    private readonly pipeline: IngestPipeline,
    private readonly clock: Clock,
  ) {}

  async run(runId: string, progress: (counts: Record<string, number>) => Promise<void> = async () => undefined): Promise<Record<string, number>> {
    const [[claimed]] = await this.ds.query(
      `UPDATE hubspot_sync_runs SET status = 'running', started_at = coalesce(started_at, $2) WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [runId, this.clock.now().toISOString()],
    );
    if (!claimed) return {}; // finished already (a redelivered job)
    const run = claimed as SyncRunRow;
    const counts: Record<string, number> = { ...(run.counts ?? {}) };
    let token = await this.token(run.unit_id);
    const call = async <T>(f: (t: string) => Promise<T>): Promise<T> => {
      try {
        return await f(token);
      } catch (err) {
        if (!(err instanceof HubSpotHttpError) || err.status !== 401) throw err;
        token = await this.token(run.unit_id, true); // expired early or revoked: one refresh, then give up
        try {
          return await f(token);
        } catch (again) {
          if (again instanceof HubSpotHttpError && again.status === 401) {
            await this.connections.markBroken(run.unit_id, 'HubSpot refused the access token (401): re-connect HubSpot');
            throw new SyncCannotRun('HubSpot refused the access token (401)');
          }
          throw again;
        }
      }
    };
    const start = run.phase ? Math.max(0, run.phases.indexOf(run.phase)) : 0;
    for (let i = start; i < run.phases.length; i++) {
      const phase = run.phases[i];
      if (phase === 'pipelines') {
        const pipelines = await call((t) => this.api.dealPipelines(t));
        await this.ds.transaction(async (m) => {
          for (const p of pipelines) {
            await m.query(
              `INSERT INTO deal_pipelines (unit_id, org_id, source, pipeline_id, label, stages, synced_at) VALUES ($1, $2, 'hubspot', $3, $4, $5::jsonb, $6)
               ON CONFLICT (unit_id, source, pipeline_id) DO UPDATE SET label = excluded.label, stages = excluded.stages, synced_at = excluded.synced_at`,
              [run.unit_id, run.org_id, p.id, p.label, JSON.stringify(pipelineStages(p)), this.clock.now().toISOString()],
            );
          }
          counts.pipelines = pipelines.length;
          await this.savePosition(m, run.id, run.phases[i + 1] ?? null, null, counts);
        });
        continue;
      }
      // the archived deals are HubSpot's `archived=true` listing of deals: only their ids are needed
      const archived = phase === 'deals_archived';
      const type = archived ? 'deals' : phase;
      const properties = archived ? [] : OBJECT_PROPERTIES[type];
      const associations = archived ? [] : type === 'deals' ? ['companies'] : isEngagement(type) ? ['contacts'] : [];
      const wanted = (o: CrmObject) => (archived ? archivedSince(o, run.since) : changedSince(o, run.since));
      type Chunk = { batch: CrmObject[]; read: number; next: string | null };
      // up to CHUNK_OBJECTS objects (several of HubSpot's pages of 100) per transaction: fewer commits, same
      // resumability; the next chunk is read from HubSpot while this one is written
      const readChunk = async (from: string | null): Promise<Chunk> => {
        const batch: CrmObject[] = [];
        let read = 0;
        let next: string | null = from;
        do {
          const after = next;
          const page: CrmPage = await call((t) => this.api.objects(t, type, { after, properties, associations, archived }));
          next = page.paging?.next?.after ?? null;
          read += page.results.length;
          for (const o of page.results) if (wanted(o)) batch.push(o);
        } while (next && read < CHUNK_OBJECTS);
        return { batch, read, next };
      };
      let reading: Promise<Chunk> | null = readChunk(i === start ? run.cursor : null);
      while (reading) {
        const chunk: Chunk = await reading;
        const { batch, read, next } = chunk;
        reading = next ? readChunk(next) : null;
        // a failure of the read ahead surfaces when it is awaited, not as an unhandled rejection meanwhile
        reading?.catch(() => undefined);
        counts.skipped_unchanged = (counts.skipped_unchanged ?? 0) + read - batch.length;
        // the position after these pages: the next page of this phase, or the start of the next phase
        const position: [SyncPhase | null, string | null] = next ? [phase, next] : [run.phases[i + 1] ?? null, null];
        if (archived) await this.archivedDeals(run, batch, counts, position);
        else if (type === 'contacts') await this.contacts(run, batch, counts, position);
        else if (type === 'companies') await this.companies(run, batch, counts, position);
        else if (type === 'deals') await this.deals(run, batch, counts, position);
        else await this.engagements(run, type, batch, counts, position);
        await progress(counts);
      }
      this.log.log({ msg: 'HubSpot sync phase done', run_id: run.id, unit_id: run.unit_id, phase, counts });
    }
    const now = this.clock.now();
    const engaged = run.phases.some(isEngagement);
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE hubspot_sync_runs SET status = 'completed', finished_at = $2, phase = NULL, cursor = NULL, counts = $3::jsonb WHERE id = $1`, [
        run.id,
        now.toISOString(),
        JSON.stringify(counts),
      ]);
      // the next incremental sync takes what changed since this run started
      await m.query(
        `UPDATE hubspot_connections SET last_sync_at = greatest(coalesce(last_sync_at, $2), $2), last_error = NULL, updated_at = $3,
                engagement_history_synced = engagement_history_synced OR $4, engagement_history_synced_at = CASE WHEN $4 THEN $3 ELSE engagement_history_synced_at END
          WHERE unit_id = $1`,
        [run.unit_id, new Date(run.started_at).toISOString(), now.toISOString(), engaged && run.kind === 'backfill'],
      );
    });
    this.log.log({ msg: 'HubSpot sync completed', run_id: run.id, unit_id: run.unit_id, kind: run.kind, counts });
    return counts;
  }

  async markFailed(runId: string, reason: string): Promise<void> {
    await this.ds.query(`UPDATE hubspot_sync_runs SET status = 'failed', failure_reason = $2, finished_at = $3 WHERE id = $1 AND status <> 'completed'`, [
      runId,
      reason.slice(0, 1000),
      this.clock.now().toISOString(),
    ]);
    await this.ds.query(
      `UPDATE hubspot_connections c SET last_error = $2 FROM hubspot_sync_runs r WHERE r.id = $1 AND c.unit_id = r.unit_id AND c.status <> 'broken'`,
      [runId, `sync failed: ${reason}`.slice(0, 500)],
    );
  }

  private async token(unitId: string, force = false): Promise<string> {
    try {
      return await this.connections.accessToken(unitId, force);
    } catch (err) {
      if (err instanceof HubSpotHttpError && err.status !== null && err.status < 500) throw new SyncCannotRun(err.message);
      if (!(err instanceof HubSpotHttpError)) throw new SyncCannotRun((err as Error).message);
      throw err;
    }
  }

  private async savePosition(m: EntityManager, runId: string, phase: SyncPhase | null, cursor: string | null, counts: Record<string, number>): Promise<void> {
    await m.query(`UPDATE hubspot_sync_runs SET phase = $2, cursor = $3, counts = $4::jsonb WHERE id = $1`, [runId, phase, cursor, JSON.stringify(counts)]);
  }

  private meta(run: SyncRunRow) {
    return { org_id: run.org_id, unit_id: run.unit_id, actor: run.created_by ?? 'hubspot-sync', correlation_id: `hubspot-sync-${run.id}` };
  }

  /** Contacts → leads by e-mail (created or updated), with the `hubspot:<id>` alias and the profile-mapped properties. */
  private async contacts(
    run: SyncRunRow,
    objects: CrmObject[],
    counts: Record<string, number>,
    [phase, cursor]: [SyncPhase | null, string | null],
  ): Promise<void> {
    const { profile } = await this.mappings.load(run.org_id, run.unit_id, this.ds.manager);
    const rows: LeadImportRow[] = [];
    const fieldMappings: Record<string, string> = { hubspot_contact_id: 'hubspot_contact_id' };
    for (const m of profile) fieldMappings[`map:${m.property}`] = m.property;
    let skipped = 0;
    for (const o of objects) {
      const p = presentProperties(o);
      if (!p.email) {
        skipped++;
        continue;
      }
      const values: Record<string, string> = { email: p.email, hubspot_alias: contactAlias(o.id), hubspot_contact_id: o.id };
      // the contact's properties are the mappings' source (`jobtitle` or `hubspot.jobtitle`)
      for (const v of mappedValues(profile, { ...p, hubspot: p }))
        values[`map:${v.property}`] = typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
      rows.push({ line: rows.length + 1, values });
    }
    await this.commands.execute(
      new ImportLeadRowsCommand(
        rows,
        {
          unit_id: run.unit_id,
          primary_column: 'email',
          primary_kind: 'email',
          field_mappings: fieldMappings,
          alias_mappings: { hubspot_alias: 'external_id' },
        },
        this.meta(run),
        async (m, outcome) => {
          const next = { ...counts };
          next.contacts = (next.contacts ?? 0) + rows.length - outcome.errors.length;
          next.leads_created = (next.leads_created ?? 0) + outcome.created;
          next.contacts_skipped = (next.contacts_skipped ?? 0) + skipped + outcome.errors.length;
          await this.savePosition(m, run.id, phase, cursor, next);
          Object.assign(counts, next);
        },
      ),
    );
  }

  /** Companies → accounts (by domain, else by HubSpot id). */
  private async companies(
    run: SyncRunRow,
    objects: CrmObject[],
    counts: Record<string, number>,
    [phase, cursor]: [SyncPhase | null, string | null],
  ): Promise<void> {
    const companies: CrmCompany[] = objects.map((o) => {
      const p = presentProperties(o);
      const metadata: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p)) if (k !== 'name' && k !== 'domain' && !k.startsWith('hs_')) metadata[k] = v;
      return { external_id: o.id, name: p.name ?? null, domain: companyDomain(p.domain), metadata };
    });
    await this.repo.transaction(async (m) => {
      await this.accounts.upsert(m, run.org_id, run.unit_id, companies, { idPrefix: 'hubspot_', metadataKey: COMPANY_ID_KEY }, this.meta(run));
      const next = { ...counts, companies: (counts.companies ?? 0) + companies.length };
      await this.savePosition(m, run.id, phase, cursor, next);
      Object.assign(counts, next);
    });
  }

  /** Deals → `deals` rows (source hubspot, external id), linked to their company's account, scored by the deal rules. */
  private async deals(
    run: SyncRunRow,
    objects: CrmObject[],
    counts: Record<string, number>,
    [phase, cursor]: [SyncPhase | null, string | null],
  ): Promise<void> {
    const records = objects.map(dealRecord);
    const companyIds = [...new Set(records.flatMap((r) => r.company_ids))];
    await this.ds.transaction(async (m) => {
      const accounts = companyIds.length
        ? await selectRows<{ account_id: string; company_id: string }>(
            m,
            sql`SELECT account_id, metadata->>${COMPANY_ID_KEY} AS company_id FROM accounts
                 WHERE unit_id = ${run.unit_id} AND archived_at IS NULL AND metadata->>${COMPANY_ID_KEY} = ANY(${companyIds}::text[])`,
          )
        : [];
      const accountOf = new Map(accounts.map((a) => [a.company_id, a.account_id]));
      const now = this.clock.now().toISOString();
      const rows = [];
      for (const r of records) {
        const score = await this.profiles.scoreAttributes(run.org_id, run.unit_id, 'deal', r.properties, m);
        const accountId = r.company_ids.map((c) => accountOf.get(c)).find(Boolean) ?? null;
        rows.push({ ...r, id: randomUUID(), account_id: accountId, deal_score: score.score, properties: { ...r.properties, company_ids: r.company_ids } });
      }
      if (rows.length) {
        await m.query(
          `INSERT INTO deals (id, org_id, unit_id, external_id, source, name, stage, amount, account_id, properties, deal_score, closed_at, created_at, updated_at)
           SELECT x.id, $2, $3, x.external_id, 'hubspot', x.name, x.stage, x.amount, x.account_id, x.properties, x.deal_score, x.closed_at, $4, $4
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, external_id text, name text, stage text, amount double precision, account_id text,
                                                   properties jsonb, deal_score double precision, closed_at timestamptz)
           ON CONFLICT (unit_id, source, external_id) DO UPDATE SET name = excluded.name, stage = excluded.stage, amount = excluded.amount,
                  account_id = excluded.account_id, properties = excluded.properties, deal_score = excluded.deal_score, closed_at = excluded.closed_at,
                  updated_at = excluded.updated_at
            WHERE (deals.name, deals.stage, deals.amount, deals.account_id, deals.properties, deals.deal_score, deals.closed_at)
                  IS DISTINCT FROM (excluded.name, excluded.stage, excluded.amount, excluded.account_id, excluded.properties, excluded.deal_score, excluded.closed_at)`,
          [JSON.stringify(rows), run.org_id, run.unit_id, now],
        );
      }
      const next = { ...counts, deals: (counts.deals ?? 0) + rows.length };
      await this.savePosition(m, run.id, phase, cursor, next);
      Object.assign(counts, next);
    });
  }

  /**
   * Deals archived (deleted) in HubSpot leave kenbun too: their `deals` rows go, so they no longer count in account
   * views, campaign revenue, attribution or calibration. A deal restored in HubSpot comes back with the next sync
   * (restoring changes its modification time).
   */
  private async archivedDeals(
    run: SyncRunRow,
    objects: CrmObject[],
    counts: Record<string, number>,
    [phase, cursor]: [SyncPhase | null, string | null],
  ): Promise<void> {
    const ids = objects.map((o) => o.id);
    await this.ds.transaction(async (m) => {
      // TypeORM answers a DELETE with [rows, affected]
      const [, removed] = ids.length
        ? ((await m.query(`DELETE FROM deals WHERE unit_id = $1 AND source = 'hubspot' AND external_id = ANY($2::text[])`, [run.unit_id, ids])) as [
            unknown[],
            number,
          ])
        : [[], 0];
      const next = { ...counts, deals_removed: (counts.deals_removed ?? 0) + removed };
      await this.savePosition(m, run.id, phase, cursor, next);
      Object.assign(counts, next);
    });
  }

  /**
   * An engagement type's objects → events of their associated contacts' leads (contacts not synced as leads are
   * skipped), with HubSpot's timestamps, through the ingest pipeline; event ids derive from HubSpot's ids.
   */
  private async engagements(
    run: SyncRunRow,
    type: EngagementType,
    objects: CrmObject[],
    counts: Record<string, number>,
    [phase, cursor]: [SyncPhase | null, string | null],
  ): Promise<void> {
    const events = objects.flatMap((o) => engagementEvents(type, o));
    const aliases = [...new Set(events.map((e) => contactAlias(e.contact_id)))];
    const known = aliases.length
      ? new Set(
          (
            await selectRows<{ value: string }>(
              this.ds,
              sql`SELECT value FROM lead_aliases WHERE unit_id = ${run.unit_id} AND kind = 'external_id' AND value = ANY(${aliases}::text[])`,
            )
          ).map((r) => r.value),
        )
      : new Set<string>();
    const now = this.clock.now().toISOString();
    const queued = events
      .filter((e) => known.has(contactAlias(e.contact_id)))
      .map((e) => ({
        event_id: clientEventUuid(run.unit_id, e.client_event_id),
        client_event_id: e.client_event_id,
        org_id: run.org_id,
        unit_id: run.unit_id,
        actor: run.created_by ?? 'hubspot-sync',
        lead_id: null,
        aliases: [{ kind: 'external_id' as const, value: contactAlias(e.contact_id) }],
        event_type: e.event_type,
        occurred_at: e.occurred_at,
        received_at: now,
        metadata: e.metadata,
        source: 'import' as const,
        // HS-2: a historical import fires no triggers; an incremental sync's fresh activity does
        skip_triggers: run.kind === 'backfill',
      }));
    const outcome = queued.length ? await this.pipeline.process(queued, `hubspot-sync-${run.id}`) : null;
    const next = {
      ...counts,
      [type]: (counts[type] ?? 0) + (outcome?.recorded ?? 0) + (outcome?.suppressed ?? 0),
      engagements_duplicate: (counts.engagements_duplicate ?? 0) + (outcome?.duplicates ?? 0),
      engagements_skipped: (counts.engagements_skipped ?? 0) + events.length - queued.length,
    };
    await this.savePosition(this.ds.manager, run.id, phase, cursor, next);
    Object.assign(counts, next);
  }
}
