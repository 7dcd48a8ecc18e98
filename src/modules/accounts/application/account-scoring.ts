import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectRows, sql } from '../../../platform/database';
import { AccountLevelsFollower, levelsInEffect, UnitLevelRow } from '../../levels';
import { applyDisqualifications, DisqualificationDecision, Metadata, ProfileScoring, roundScore } from '../../scoring';

export interface AccountScoringOutcome {
  scored: number;
  disqualified: number;
  requalified: number;
}

/**
 * ABM-3: an account's score is the OU's account rules (primary ruleset's add_points, any enabled ruleset's
 * hard_disqualify) on its metadata, through the same scorer as profile and deal (`ProfileScoring.scoreAttributes`,
 * cached per OU by scoring_setup_version); its level is the account level in effect it falls in (the primary account
 * ruleset's levels, else the OU's own, as for profile levels). A matching hard_disqualify rule disqualifies every live
 * lead of the account (`applyDisqualifications(m, 'account', …)`), and re-qualifies them when it stops matching.
 */
/** The account level a score falls in (by its displayed, rounded value), null when none. */
function levelOf(levels: UnitLevelRow[], score: number): UnitLevelRow | null {
  const shown = roundScore(score);
  return levels.find((l) => shown >= l.min_score && (l.max_score === null || shown <= l.max_score)) ?? null;
}

@Injectable()
export class AccountScoring implements AccountLevelsFollower {
  constructor(
    private readonly profiles: ProfileScoring,
    private readonly clock: Clock,
  ) {}

  /** Re-evaluates these accounts of one OU inside the caller's transaction. */
  async evaluate(m: EntityManager, orgId: string, unitId: string, accountRefs: readonly string[]): Promise<AccountScoringOutcome> {
    if (!accountRefs.length) return { scored: 0, disqualified: 0, requalified: 0 };
    const accounts = await selectRows<{ id: string; metadata: Metadata; account_score: number; account_level_id: string | null }>(
      m,
      sql`SELECT id, metadata, account_score, account_level_id FROM accounts WHERE id = ANY(${[...accountRefs]}::text[]) AND unit_id = ${unitId} AND archived_at IS NULL`,
    );
    if (!accounts.length) return { scored: 0, disqualified: 0, requalified: 0 };
    const levels = await levelsInEffect(m, 'account', [unitId]);
    // one transaction's connection: one query at a time (the rules are cached per OU, so this reads them once at most)
    const results: { a: (typeof accounts)[number]; r: Awaited<ReturnType<ProfileScoring['scoreAttributes']>> }[] = [];
    for (const a of accounts) results.push({ a, r: await this.profiles.scoreAttributes(orgId, unitId, 'account', a.metadata, m) });
    const rows = results.map(({ a, r }) => {
      const level = levelOf(levels, r.score);
      return {
        id: a.id,
        score: r.score,
        level_id: level?.id ?? null,
        level: level?.name ?? null,
        changed: Number(a.account_score) !== r.score || a.account_level_id !== (level?.id ?? null),
      };
    });
    const changed = rows.filter((r) => r.changed);
    if (changed.length) {
      await m.query(
        `UPDATE accounts a SET account_score = x.score, account_level_id = x.level_id, account_level = x.level
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, score double precision, level_id text, level text) WHERE a.id = x.id`,
        [JSON.stringify(changed)],
      );
    }
    const dqByAccount = new Map(results.map(({ a, r }) => [a.id, r.disqualified_by]));
    const leads = await selectRows<{ id: string; account_ref: string }>(
      m,
      sql`SELECT id, account_ref FROM leads WHERE account_ref = ANY(${accounts.map((a) => a.id)}::text[]) AND status = 'active'`,
    );
    const decisions: DisqualificationDecision[] = leads.map((l) => ({ lead_ref: l.id, disqualified_by: dqByAccount.get(l.account_ref) ?? null }));
    const dq = await applyDisqualifications(m, 'account', decisions, this.clock.now());
    return { scored: changed.length, disqualified: dq.disqualified.length, requalified: dq.requalified.length };
  }

  /**
   * Account levels after a change of the OU's account level configuration (AccountLevelsFollower, in the change's
   * transaction): every live account's level re-derived from its stored score by the same rule as `evaluate`; only
   * accounts whose level changed are written (one statement).
   */
  async reclassifyAccounts(m: EntityManager, unitId: string): Promise<void> {
    const levels = await levelsInEffect(m, 'account', [unitId]);
    const accounts = await selectRows<{ id: string; account_score: number; account_level_id: string | null; account_level: string | null }>(
      m,
      sql`SELECT id, account_score, account_level_id, account_level FROM accounts WHERE unit_id = ${unitId} AND archived_at IS NULL`,
    );
    const changed = accounts
      .map((a) => ({ a, level: levelOf(levels, Number(a.account_score)) }))
      .filter(({ a, level }) => a.account_level_id !== (level?.id ?? null) || a.account_level !== (level?.name ?? null))
      .map(({ a, level }) => ({ id: a.id, level_id: level?.id ?? null, level: level?.name ?? null }));
    if (!changed.length) return;
    await m.query(
      `UPDATE accounts a SET account_level_id = x.level_id, account_level = x.level
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, level_id text, level text) WHERE a.id = x.id`,
      [JSON.stringify(changed)],
    );
  }

  /** Leads that left every account: an account rule no longer disqualifies them. */
  async release(m: EntityManager, leadRefs: readonly string[]): Promise<number> {
    if (!leadRefs.length) return 0;
    const dq = await applyDisqualifications(
      m,
      'account',
      leadRefs.map((lead_ref) => ({ lead_ref, disqualified_by: null })),
      this.clock.now(),
    );
    return dq.requalified.length;
  }
}
