import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { AccountFigures } from '../application/account-figures';
import { AccountScoring } from '../application/account-scoring';
import {
  AccountCommitteeMemberRemovedPayload,
  AccountCommitteeMemberSetPayload,
  AccountCommitteeRefreshedPayload,
  AccountCreatedPayload,
  AccountEvent,
  AccountMergedIntoPayload,
  AccountMetadataChangedPayload,
} from '../domain';

/**
 * `accounts` (identity and metadata columns) and `account_committee_members`, applied inline with each Account
 * append (a PATCH is read back by the next request). The aggregate figures are the `account-grouping` projection's;
 * account scores follow metadata through AccountScoring. Upserts and keyed updates with times from the events, so a
 * replay writes the same rows.
 */
@ReadModelProjection()
@Injectable()
export class AccountsProjection implements Projection {
  readonly name = 'accounts';
  readonly mode = 'inline' as const;
  readonly tables = ['account_committee_members', 'accounts'];
  readonly eventTypes = Object.values(AccountEvent) as string[];

  constructor(
    private readonly scoring: AccountScoring,
    private readonly figures: AccountFigures,
  ) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    for (const e of events) await this.apply(e, m);
  }

  /** The derived columns the events do not carry: figures from the leads, scores and levels from the current rules. */
  async afterRebuild(m: EntityManager): Promise<void> {
    const units: { org_id: string; unit_id: string; refs: string[] }[] = await m.query(
      `SELECT org_id, unit_id, array_agg(id) AS refs FROM accounts WHERE archived_at IS NULL GROUP BY org_id, unit_id`,
    );
    for (const u of units) {
      await this.scoring.evaluate(m, u.org_id, u.unit_id, u.refs);
      await this.figures.refresh(m, u.refs);
    }
  }

  private async apply(e: StoredEvent, m: EntityManager): Promise<void> {
    switch (e.eventType) {
      case AccountEvent.Created: {
        const p = e.payload as AccountCreatedPayload;
        await m.query(
          `INSERT INTO accounts (id, org_id, unit_id, account_id, group_key, name, domain, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (id) DO NOTHING`,
          [e.streamId, p.org_id, p.unit_id, p.account_id, p.group_key, p.name, p.domain, p.at],
        );
        return;
      }
      case AccountEvent.MetadataChanged: {
        const p = e.payload as AccountMetadataChangedPayload;
        await m.query(
          `UPDATE accounts SET metadata = (metadata || $2::jsonb) - $3::text[],
                  name = CASE WHEN $4::bool THEN $5 ELSE name END, domain = CASE WHEN $6::bool THEN $7 ELSE domain END, updated_at = $8
            WHERE id = $1`,
          [e.streamId, JSON.stringify(p.set), p.removed, p.name !== undefined, p.name ?? null, p.domain !== undefined, p.domain ?? null, p.at],
        );
        return;
      }
      case AccountEvent.MergedInto: {
        const p = e.payload as AccountMergedIntoPayload;
        await m.query(`UPDATE accounts SET archived_at = $2, merged_into = $3, updated_at = $2 WHERE id = $1`, [e.streamId, p.at, p.target_ref]);
        // accounts merged into the source earlier now lead to the target
        await m.query(`UPDATE accounts SET merged_into = $2 WHERE merged_into = $1`, [e.streamId, p.target_ref]);
        await m.query(`DELETE FROM account_committee_members WHERE account_ref = $1`, [e.streamId]);
        return;
      }
      case AccountEvent.Deleted:
        await m.query(`DELETE FROM account_committee_members WHERE account_ref = $1`, [e.streamId]);
        await m.query(`DELETE FROM accounts WHERE id = $1`, [e.streamId]);
        return;
      case AccountEvent.CommitteeMemberSet: {
        const p = e.payload as AccountCommitteeMemberSetPayload;
        await m.query(
          `INSERT INTO account_committee_members (account_ref, lead_ref, org_id, unit_id, id, lead_id, role, is_manual, notes, created_at, updated_at)
           SELECT a.id, $2, a.org_id, a.unit_id, $3, $4, $5, $6, $7, $8, $8 FROM accounts a WHERE a.id = $1
           ON CONFLICT (account_ref, lead_ref) DO UPDATE SET role = excluded.role, is_manual = excluded.is_manual, notes = excluded.notes, updated_at = excluded.updated_at`,
          [e.streamId, p.lead_ref, `${e.streamId}:${p.lead_ref}`, p.lead_id, p.role, p.is_manual, p.notes, p.at],
        );
        return;
      }
      case AccountEvent.CommitteeMemberRemoved: {
        const p = e.payload as AccountCommitteeMemberRemovedPayload;
        await m.query(`DELETE FROM account_committee_members WHERE account_ref = $1 AND lead_ref = $2`, [e.streamId, p.lead_ref]);
        return;
      }
      case AccountEvent.CommitteeRefreshed: {
        const p = e.payload as AccountCommitteeRefreshedPayload;
        await m.query(`DELETE FROM account_committee_members WHERE account_ref = $1 AND NOT is_manual`, [e.streamId]);
        await m.query(
          `INSERT INTO account_committee_members (account_ref, lead_ref, org_id, unit_id, id, lead_id, role, is_manual, notes, created_at, updated_at)
           SELECT a.id, x.lead_ref, a.org_id, a.unit_id, a.id || ':' || x.lead_ref, x.lead_id, x.role, false, x.notes, $3, $3
             FROM accounts a, jsonb_to_recordset($2::jsonb) AS x(lead_ref text, lead_id text, role text, notes text)
            WHERE a.id = $1
           ON CONFLICT (account_ref, lead_ref) DO NOTHING`,
          [e.streamId, JSON.stringify(p.members), p.at],
        );
        return;
      }
    }
  }
}
