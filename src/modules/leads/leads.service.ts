import { InjectQueue } from '@nestjs/bull';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AggregateRepository } from '../../platform/event-store/aggregate.repository';
import { EventMetadata } from '../../platform/event-store/event-store.types';
import { uuidv7 } from '../../platform/event-store/uuid-v7';
import { AppError } from '../../platform/http/app-error';
import { QueueName } from '../../platform/queues/queue-names';
import { RequestContext } from '../../platform/tenancy/request-context';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { MAX_METADATA_BYTES } from '../ingestion/ingest-intake.service';
import { normaliseAlias } from '../ingestion/ingest-job';
import { AliasKind, LeadMetadataChangedPayload, LeadOwnerAssignedPayload } from './domain/lead-events';
import { Lead } from './domain/lead.aggregate';
import { lockLiveLeads } from './lead-lock';
import { nameUuid } from '../../platform/event-store/name-uuid';
import { isUniqueViolation } from '../../platform/database/pg-errors';
import { changeLiveLeads } from './lead-lock';

export const ERASE_LEAD_JOB = 'lead.erase';

export interface LeadDeletionJobData {
  deletion_id: string;
}

export interface LeadRecord {
  id: string;
  org_id: string;
  unit_id: string;
  lead_id: string;
  metadata: Record<string, unknown>;
  account_id: string | null;
  owner_id: string | null;
  owner_name: string | null;
  created_at: Date;
  updated_at: Date;
  last_event_at: Date | null;
  last_event_type: string | null;
  event_count: number;
  score_reset_at: Date | null;
}

export interface DeletionRecord {
  id: string;
  lead_id: string;
  status: 'pending' | 'in_progress' | 'completed' | 'failed';
  requested_at: Date;
  completed_at: Date | null;
  error: string | null;
}

const COLUMNS = `id, org_id, unit_id, lead_id, metadata, account_id, owner_id, owner_name, created_at, updated_at, last_event_at, last_event_type, event_count, score_reset_at`;

/** A metadata change as the HTTP layer states it: `set` merged (or replacing), `removed` dropped. */
export interface MetadataChange {
  set: Record<string, unknown>;
  removed: string[];
  replace: boolean;
  account_id?: string | null;
  silent: boolean;
}

/** A stable id for an alias row (the table is keyed by OU, kind and value; the id survives projection rebuilds). */
export function aliasId(unitId: string, kind: string, value: string): string {
  return nameUuid(`kenbun:alias:${unitId}:${kind}:${value}`);
}

/** 413 beyond 100 KB of JSON, the same bound as an ingested event's metadata. */
export function checkMetadataSize(metadata: Record<string, unknown>, field = 'metadata'): void {
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw new AppError(HttpStatus.PAYLOAD_TOO_LARGE, 'metadata_too_large', `${field}: the lead's metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`, [
      { field, reason: `must be at most ${MAX_METADATA_BYTES} bytes of JSON` },
    ]);
  }
}

/**
 * Commands and reads of a lead's identity: creation, metadata, owner, alias lookups and deletion requests.
 * Every change goes through the Lead aggregate (the inline projection moves `leads` in the same transaction)
 * and locks the lead as live first (see lockLiveLeads), so nothing is appended to a lead being deleted.
 */
@Injectable()
export class LeadsService {
  private readonly log = new Logger('Leads');

  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
    @InjectQueue(QueueName.LeadDeletion) private readonly deletions: Queue,
  ) {}

  /** A live lead of the active OU by public id; 404 `lead_not_found` otherwise (another OU's lead and a lead being deleted included). */
  async visible(leadId: string, m: EntityManager = this.ds.manager): Promise<LeadRecord> {
    const { org_id, unit_id } = tenantKey();
    const [row] = await m.query(`SELECT ${COLUMNS} FROM leads WHERE unit_id = $1 AND org_id = $2 AND lead_id = $3 AND status = 'active'`, [unit_id, org_id, leadId]);
    if (!row) throw AppError.notFound('lead', 'lead_not_found');
    return row;
  }

  /** LEAD-9: the live lead of the active OU owning the (normalised) alias. */
  async byAlias(kind: AliasKind, value: string): Promise<LeadRecord> {
    const { org_id, unit_id } = tenantKey();
    const alias = normaliseAlias(kind, value);
    const [row] = await this.ds.query(
      `SELECT ${COLUMNS.split(', ').map((c) => `l.${c}`).join(', ')} FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref
        WHERE a.unit_id = $1 AND a.kind = $2 AND a.value = $3 AND l.org_id = $4 AND l.status = 'active'`,
      [unit_id, alias.kind, alias.value, org_id],
    );
    if (!row) throw AppError.notFound('lead with this alias', 'lead_not_found');
    return row;
  }

  async aliases(lead: LeadRecord): Promise<{ id: string; kind: string; value: string; created_at: Date }[]> {
    const rows: { kind: string; value: string; created_at: Date }[] = await this.ds.query(
      `SELECT kind, value, created_at FROM lead_aliases WHERE lead_ref = $1 ORDER BY created_at, kind, value`,
      [lead.id],
    );
    return rows.map((r) => ({ id: aliasId(lead.unit_id, r.kind, r.value), ...r }));
  }

  /** The lead's first e-mail alias (LEAD-9 answers it), or null. */
  async email(lead: LeadRecord): Promise<string | null> {
    const [row] = await this.ds.query(`SELECT value FROM lead_aliases WHERE lead_ref = $1 AND kind = 'email' ORDER BY created_at, value LIMIT 1`, [lead.id]);
    return row?.value ?? null;
  }

  /** LEAD-3: a new lead (source `api`); a public id already used in the OU (a lead being deleted included) → 409. */
  async create(input: { id: string; metadata: Record<string, unknown>; account_id: string | null }): Promise<LeadRecord> {
    const { unit_id } = tenantKey();
    checkMetadataSize(input.metadata);
    const taken = async () => {
      const [row] = await this.ds.query(`SELECT status FROM leads WHERE unit_id = $1 AND lead_id = $2`, [unit_id, input.id]);
      return row as { status: string } | undefined;
    };
    const conflict = (status?: string) =>
      AppError.conflict(
        'lead_exists',
        status === 'deleting' ? `lead ${input.id} is being deleted; its id can be used again once the deletion completed` : `a lead with id ${input.id} already exists in the active OU`,
        [{ field: 'id', reason: 'is already used by a lead of the active OU' }],
      );
    const existing = await taken();
    if (existing) throw conflict(existing.status);
    const ref = uuidv7();
    const lead = new Lead(ref);
    lead.create({ lead_id: input.id, metadata: input.metadata, account_id: input.account_id, source: 'api' }, this.clock.now());
    try {
      await this.repo.save(lead, RequestContext.eventMetadata());
    } catch (err) {
      // two creations of one id at once: the unique key on (unit_id, lead_id) lets one through
      if (isUniqueViolation(err)) throw conflict((await taken())?.status);
      throw err;
    }
    const [row] = await this.ds.query(`SELECT ${COLUMNS} FROM leads WHERE id = $1`, [ref]);
    return row;
  }

  /** LEAD-5/6/10 on one live lead; returns the lead as stored afterwards. */
  async changeMetadata(lead: LeadRecord, change: MetadataChange): Promise<LeadRecord> {
    const at = this.clock.now();
    await this.onLive([lead.id], RequestContext.eventMetadata(), (leads) => {
      const l = leads.get(lead.id)!;
      const next = change.replace ? { ...change.set } : { ...l.metadata, ...change.set };
      for (const k of change.removed) delete next[k];
      checkMetadataSize(next);
      const payload: LeadMetadataChangedPayload = { set: change.set, removed: change.removed, replace: change.replace, silent: change.silent };
      if (change.account_id !== undefined) payload.account_id = change.account_id;
      l.changeMetadata(payload, at);
    });
    const [row] = await this.ds.query(`SELECT ${COLUMNS} FROM leads WHERE id = $1`, [lead.id]);
    return row;
  }

  /** LEAD-19: owner of the given live leads (unknown or hidden ones skipped); returns how many were assigned. */
  async assignOwner(refs: string[], owner: LeadOwnerAssignedPayload): Promise<number> {
    const at = this.clock.now();
    let affected = 0;
    await this.onLive(refs, RequestContext.eventMetadata(), (leads) => {
      for (const l of leads.values()) l.assignOwner(owner, at);
      affected = leads.size;
    });
    return affected;
  }

  /** Internal ids of the live leads of the active OU among the public ids given. */
  async refsOf(leadIds: string[]): Promise<string[]> {
    const { org_id, unit_id } = tenantKey();
    const rows: { id: string }[] = await this.ds.query(
      `SELECT id FROM leads WHERE unit_id = $1 AND org_id = $2 AND lead_id = ANY($3::text[]) AND status = 'active'`,
      [unit_id, org_id, [...new Set(leadIds)]],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Loads the live leads among `refs` (locked, see lockLiveLeads), lets `decide` raise events on them and saves,
   * in one transaction; retried on a concurrency conflict. A lead that is no longer live is left out.
   */
  private async onLive(refs: string[], metadata: EventMetadata, decide: (leads: Map<string, Lead>) => void): Promise<void> {
    await changeLiveLeads(this.repo, refs, metadata, (leads) => {
      if (refs.length === 1 && !leads.size) throw AppError.notFound('lead', 'lead_not_found');
      decide(leads);
    });
  }

  /**
   * LEAD-18: hides the lead at once (`status = 'deleting'`: reads and ingest answer 404) and queues its erasure.
   * Repeating the request while a deletion is under way answers the same; after a failed erasure it queues
   * another attempt. A lead already erased (or never known) is 404.
   */
  async requestDeletion(leadId: string): Promise<DeletionRecord> {
    const { org_id, unit_id } = tenantKey();
    const now = this.clock.now();
    const actor = RequestContext.eventMetadata().actor ?? null;
    const outcome = await this.ds.transaction(async (m) => {
      const [lead] = await m.query(`SELECT id, status FROM leads WHERE unit_id = $1 AND org_id = $2 AND lead_id = $3 FOR NO KEY UPDATE`, [unit_id, org_id, leadId]);
      if (!lead || (lead.status !== 'active' && lead.status !== 'deleting')) throw AppError.notFound('lead', 'lead_not_found');
      if (lead.status === 'deleting') {
        const [last] = await m.query(`SELECT * FROM lead_deletions WHERE unit_id = $1 AND lead_id = $2 ORDER BY requested_at DESC LIMIT 1`, [unit_id, leadId]);
        if (last && last.status !== 'failed') return { deletion: last as DeletionRecord, enqueue: false };
        if (last) {
          const [again] = await m.query(`UPDATE lead_deletions SET status = 'pending', error = NULL, completed_at = NULL WHERE id = $1 RETURNING *`, [last.id]);
          return { deletion: again as DeletionRecord, enqueue: true };
        }
      }
      await m.query(`UPDATE leads SET status = 'deleting' WHERE id = $1`, [lead.id]);
      const [deletion] = await m.query(
        `INSERT INTO lead_deletions (id, org_id, unit_id, lead_id, status, requested_by, requested_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING *`,
        [uuidv7(), org_id, unit_id, leadId, actor, now],
      );
      return { deletion: deletion as DeletionRecord, enqueue: true };
    });
    if (outcome.enqueue) {
      try {
        await this.deletions.add(ERASE_LEAD_JOB, { deletion_id: outcome.deletion.id } satisfies LeadDeletionJobData, {
          jobId: `${outcome.deletion.id}-${Date.now()}`,
          removeOnComplete: true,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        });
      } catch (err) {
        this.log.warn({ msg: 'lead deletion could not be queued; marked failed so that a repeated DELETE retries it', deletion_id: outcome.deletion.id, err: (err as Error).message });
        await this.ds.query(`UPDATE lead_deletions SET status = 'failed', error = 'the deletion could not be queued' WHERE id = $1`, [outcome.deletion.id]);
        throw AppError.unavailable('queue_unavailable', 'the deletion could not be queued; the lead stays hidden, retry the DELETE');
      }
    }
    return outcome.deletion;
  }

  /** LEAD-18: the latest deletion request for this public id in the active OU; 404 when it was never deleted. */
  async deletionStatus(leadId: string): Promise<DeletionRecord> {
    const { org_id, unit_id } = tenantKey();
    const [row] = await this.ds.query(
      `SELECT * FROM lead_deletions WHERE unit_id = $1 AND org_id = $2 AND lead_id = $3 ORDER BY requested_at DESC, id DESC LIMIT 1`,
      [unit_id, org_id, leadId],
    );
    if (!row) throw AppError.notFound('deletion of this lead', 'deletion_not_found');
    return row;
  }
}
