import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { AggregateRepository } from '../../../platform/event-store';
import { isoOrNull } from '../../../platform/http';
import { RequestContext, unitScope } from '../../../platform/tenancy';
import { levelsInEffect } from '../../levels';
import { roundScore } from '../../scoring';
import { AccountErrors } from '../accounts.errors';
import { Account, CommitteeRole, inferCommittee } from '../domain';
import { CommitteeMemberDto, CommitteeMemberInputDto } from '../http/accounts.dto';

interface MemberRow {
  account_ref: string;
  lead_ref: string;
  role: string;
  is_manual: boolean;
  notes: string | null;
  lead_id: string;
  score: number;
  event_count: number;
  first_at: Date | null;
  last_event_at: Date | null;
  metadata: Record<string, unknown>;
  email: string | null;
  engagement_level: string | null;
  profile_level: string | null;
  owner_name: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/** The buying committee (BC-1..3): members kept on the Account aggregate, listed with their leads' figures. */
@Injectable()
export class BuyingCommittee {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async list(accountId: string): Promise<CommitteeMemberDto[]> {
    const account = await this.account(accountId);
    return this.members(account.id, accountId);
  }

  /** BC-2: a lead of the account joins (or is re-set) with a role, as a manual member. */
  async add(accountId: string, body: CommitteeMemberInputDto): Promise<CommitteeMemberDto> {
    const account = await this.account(accountId);
    const lead = await this.leadOf(account.id, body.lead_id);
    await this.repo.execute(Account, account.id, RequestContext.eventMetadata(), (a) => {
      if (!a.live) throw AccountErrors.notFound('account_not_found', 'account');
      a.setMember({ lead_ref: lead.id, lead_id: body.lead_id, role: body.role, notes: body.notes ?? null }, this.clock.now());
    });
    RequestContext.describe({
      verb: 'create',
      entityType: 'buying_committee_member',
      entityId: body.lead_id,
      summary: `added ${body.lead_id} to the buying committee of ${accountId} as ${body.role}`,
    });
    return (await this.members(account.id, accountId, lead.id))[0];
  }

  /** BC-2: a member's role (and notes) change; the member becomes manual. 404 for a lead that is not a member. */
  async update(accountId: string, body: CommitteeMemberInputDto): Promise<CommitteeMemberDto> {
    const account = await this.account(accountId);
    const lead = await this.leadOf(account.id, body.lead_id);
    await this.repo.execute(Account, account.id, RequestContext.eventMetadata(), (a) => {
      if (!a.hasMember(lead.id)) throw AccountErrors.notFound('member_not_found', 'buying committee member');
      const notes = body.notes === undefined ? (a.committee.find((c) => c.lead_ref === lead.id)?.notes ?? null) : body.notes;
      a.setMember({ lead_ref: lead.id, lead_id: body.lead_id, role: body.role, notes }, this.clock.now());
    });
    RequestContext.describe({
      verb: 'update',
      entityType: 'buying_committee_member',
      entityId: body.lead_id,
      summary: `set ${body.lead_id}'s buying committee role in ${accountId} to ${body.role}`,
    });
    return (await this.members(account.id, accountId, lead.id))[0];
  }

  async remove(accountId: string, leadId: string): Promise<void> {
    const account = await this.account(accountId);
    const lead = await selectOne<{ id: string }>(this.ds, sql`SELECT id FROM leads WHERE ${unitScope()} AND lead_id = ${leadId}`);
    await this.repo.execute(Account, account.id, RequestContext.eventMetadata(), (a) => {
      if (!lead || !a.removeMember(lead.id, this.clock.now())) throw AccountErrors.notFound('member_not_found', 'buying committee member');
    });
    RequestContext.describe({
      verb: 'delete',
      entityType: 'buying_committee_member',
      entityId: leadId,
      summary: `removed ${leadId} from the buying committee of ${accountId}`,
    });
  }

  /** BC-2/BC-3: automatic members re-inferred from the account's qualified leads; manual members untouched. */
  async refresh(accountId: string): Promise<CommitteeMemberDto[]> {
    const account = await this.account(accountId);
    const candidates = await selectRows<{ id: string; lead_id: string; title: string | null; score: number; event_count: number }>(
      this.ds,
      sql`SELECT id, lead_id, metadata->>'title' AS title, score, event_count FROM leads
           WHERE account_ref = ${account.id} AND status = 'active' AND NOT disqualified`,
    );
    const levels = await levelsInEffect(this.ds.manager, 'engagement', [account.unit_id]);
    const hot = levels.find((l) => l.name.toLowerCase() === 'hot');
    const inferred = inferCommittee(
      candidates.map((c) => ({ lead_ref: c.id, lead_id: c.lead_id, title: c.title, engagement_score: Number(c.score), activity_count: c.event_count })),
      hot ? hot.min_score : null,
    );
    await this.repo.execute(Account, account.id, RequestContext.eventMetadata(), (a) => {
      if (!a.live) throw AccountErrors.notFound('account_not_found', 'account');
      a.refreshCommittee(inferred, this.clock.now());
    });
    RequestContext.describe({
      verb: 'refresh',
      entityType: 'buying_committee',
      entityId: accountId,
      summary: `refreshed the buying committee of ${accountId}`,
    });
    return this.members(account.id, accountId);
  }

  private async account(accountId: string): Promise<{ id: string; unit_id: string }> {
    const row = await selectOne<{ id: string; unit_id: string }>(
      this.ds,
      sql`SELECT id, unit_id FROM accounts WHERE ${unitScope()} AND account_id = ${accountId} AND archived_at IS NULL`,
    );
    if (!row) throw AccountErrors.notFound('account_not_found', 'account');
    return row;
  }

  /** A live lead of the OU that belongs to the account (404 lead_not_found otherwise). */
  private async leadOf(accountRef: string, leadId: string): Promise<{ id: string }> {
    const lead = await selectOne<{ id: string }>(
      this.ds,
      sql`SELECT id FROM leads WHERE ${unitScope()} AND lead_id = ${leadId} AND status = 'active' AND account_ref = ${accountRef}`,
    );
    if (!lead) throw AccountErrors.notFound('lead_not_found', 'lead of this account');
    return lead;
  }

  private async members(accountRef: string, accountId: string, leadRef?: string): Promise<CommitteeMemberDto[]> {
    const rows = await selectRows<MemberRow>(
      this.ds,
      sql`SELECT c.account_ref, c.lead_ref, c.role, c.is_manual, c.notes, l.lead_id, l.score, l.event_count, l.last_event_at, l.metadata,
                 l.engagement_level, l.profile_level, l.owner_name,
                 (SELECT min(le.occurred_at) FROM lead_events le WHERE le.lead_ref = l.id) AS first_at,
                 (SELECT min(a.value) FROM lead_aliases a WHERE a.lead_ref = l.id AND a.kind = 'email') AS email
            FROM account_committee_members c JOIN leads l ON l.id = c.lead_ref
           WHERE c.account_ref = ${accountRef} ${leadRef ? sql`AND c.lead_ref = ${leadRef}` : sql``}
           ORDER BY c.is_manual DESC, l.score DESC, l.lead_id`,
    );
    return rows.map((r) => ({
      id: `${r.account_ref}:${r.lead_ref}`,
      lead_id: r.lead_id,
      account_id: accountId,
      role: r.role as CommitteeRole,
      engagement_score: roundScore(Number(r.score)),
      activity_count: r.event_count,
      first_engagement_at: isoOrNull(r.first_at),
      last_engagement_at: isoOrNull(r.last_event_at),
      is_manual: r.is_manual,
      notes: r.notes,
      best_alias: r.email ?? r.lead_id,
      first_name: str(r.metadata?.first_name),
      last_name: str(r.metadata?.last_name),
      email: r.email ?? str(r.metadata?.email),
      title: str(r.metadata?.title),
      company_name: str(r.metadata?.company_name) ?? str(r.metadata?.company),
      engagement_level: r.engagement_level,
      profile_level: r.profile_level,
      owner_name: r.owner_name,
    }));
  }
}
