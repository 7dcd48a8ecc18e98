import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../platform/clock';
import { execute, raw, selectOne, selectRows, sql } from '../../platform/database';
import { nameUuid, uuidv7 } from '../../platform/event-store';
import { PlatformErrors } from '../../platform/http';
import { QueueName } from '../../platform/queues';
import { RequestContext, unitOnly, unitScope } from '../../platform/tenancy';
import { normaliseAlias } from './domain/alias-normalisation';
import { AliasKind } from './domain/lead-events';
import { LEAD_COLUMNS, LeadRecord, leadColumnsOf } from './lead-record';
import { LeadErrors } from './leads.errors';

export const ERASE_LEAD_JOB = 'lead.erase';

export interface LeadDeletionJobData {
  deletion_id: string;
}

export interface DeletionRecord {
  id: string;
  lead_id: string;
  status: 'pending' | 'in_progress' | 'completed' | 'failed';
  requested_at: Date;
  completed_at: Date | null;
  error: string | null;
}

/** A stable id for an alias row (the table is keyed by OU, kind and value; the id survives projection rebuilds). */
export function aliasId(unitId: string, kind: string, value: string): string {
  return nameUuid(`kenbun:alias:${unitId}:${kind}:${value}`);
}

/**
 * Reads of a lead's identity (by id, by alias, aliases) and deletion requests. Changes to a lead are commands of
 * this module (./commands); a deletion request only hides the lead and queues its erasure, it appends nothing.
 */
@Injectable()
export class LeadsService {
  private readonly log = new Logger('Leads');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    @InjectQueue(QueueName.LeadDeletion) private readonly deletions: Queue,
  ) {}

  /** A live lead of the active OU by public id; 404 `lead_not_found` otherwise (another OU's lead and a lead being deleted included). */
  async visible(leadId: string, m: EntityManager = this.ds.manager): Promise<LeadRecord> {
    const row = await selectOne<LeadRecord>(m, sql`SELECT ${raw(LEAD_COLUMNS)} FROM leads WHERE ${unitScope()} AND lead_id = ${leadId} AND status = 'active'`);
    if (!row) throw LeadErrors.notFound('lead_not_found', 'lead');
    return row;
  }

  /** LEAD-9: the live lead of the active OU owning the (normalised) alias. */
  async byAlias(kind: AliasKind, value: string): Promise<LeadRecord> {
    const alias = normaliseAlias(kind, value);
    const row = await selectOne<LeadRecord>(
      this.ds,
      sql`SELECT ${leadColumnsOf('l')} FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref
           WHERE ${unitOnly('a')} AND a.kind = ${alias.kind} AND a.value = ${alias.value} AND ${unitScope('l')} AND l.status = 'active'`,
    );
    if (!row) throw LeadErrors.notFound('lead_not_found', 'lead with this alias');
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

  /** Internal ids of the live leads of the active OU among the public ids given. */
  async refsOf(leadIds: string[]): Promise<string[]> {
    const rows = await selectRows<{ id: string }>(
      this.ds,
      sql`SELECT id FROM leads WHERE ${unitScope()} AND lead_id = ANY(${[...new Set(leadIds)]}::text[]) AND status = 'active'`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * LEAD-18: hides the lead at once (`status = 'deleting'`: reads and ingest answer 404) and queues its erasure.
   * Repeating the request while a deletion is under way answers the same; after a failed erasure it queues
   * another attempt. A lead already erased (or never known) is 404.
   */
  async requestDeletion(leadId: string): Promise<DeletionRecord> {
    const { orgId, unitId } = { orgId: RequestContext.orgId(), unitId: RequestContext.unitId() };
    const now = this.clock.now();
    const actor = RequestContext.eventMetadata().actor ?? null;
    const outcome = await this.ds.transaction(async (m) => {
      const lead = await selectOne<{ id: string; status: string }>(
        m,
        sql`SELECT id, status FROM leads WHERE ${unitScope()} AND lead_id = ${leadId} FOR NO KEY UPDATE`,
      );
      if (!lead || (lead.status !== 'active' && lead.status !== 'deleting')) throw LeadErrors.notFound('lead_not_found', 'lead');
      if (lead.status === 'deleting') {
        const last = await selectOne<DeletionRecord>(
          m,
          sql`SELECT * FROM lead_deletions WHERE ${unitOnly()} AND lead_id = ${leadId} ORDER BY requested_at DESC LIMIT 1`,
        );
        if (last && last.status !== 'failed') return { deletion: last, enqueue: false };
        if (last) {
          const [again] = await m.query(`UPDATE lead_deletions SET status = 'pending', error = NULL, completed_at = NULL WHERE id = $1 RETURNING *`, [last.id]);
          return { deletion: again as DeletionRecord, enqueue: true };
        }
      }
      await execute(m, sql`UPDATE leads SET status = 'deleting' WHERE id = ${lead.id}`);
      const [deletion] = await m.query(
        `INSERT INTO lead_deletions (id, org_id, unit_id, lead_id, status, requested_by, requested_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING *`,
        [uuidv7(), orgId, unitId, leadId, actor, now],
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
        this.log.warn({
          msg: 'lead deletion could not be queued; marked failed so that a repeated DELETE retries it',
          deletion_id: outcome.deletion.id,
          err: (err as Error).message,
        });
        await this.ds.query(`UPDATE lead_deletions SET status = 'failed', error = 'the deletion could not be queued' WHERE id = $1`, [outcome.deletion.id]);
        throw PlatformErrors.error('queue_unavailable', 'the deletion could not be queued; the lead stays hidden, retry the DELETE');
      }
    }
    return outcome.deletion;
  }

  /** LEAD-18: the latest deletion request for this public id in the active OU; 404 when it was never deleted. */
  async deletionStatus(leadId: string): Promise<DeletionRecord> {
    const row = await selectOne<DeletionRecord>(
      this.ds,
      sql`SELECT * FROM lead_deletions WHERE ${unitScope()} AND lead_id = ${leadId} ORDER BY requested_at DESC, id DESC LIMIT 1`,
    );
    if (!row) throw LeadErrors.notFound('deletion_not_found', 'deletion of this lead');
    return row;
  }
}
