import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { lockRowsInIdOrder, selectOne, selectRows, sql } from '../../../platform/database';
import { QueueName } from '../../../platform/queues';
import { AttributeDimension, AttributeRuleset, AttributeScore, Disqualifier, scoreAttributeRulesets } from '../domain/attribute-rules';
import { Metadata } from '../domain/metadata-path';
import { ScoringSetupService } from '../setup/scoring-setup.service';
import { applyDisqualifications } from './disqualification.sql';
import { ProfileScoreFollower, QualificationFollower } from './fit-score-follower';

export const PROFILE_REEVALUATE_UNIT = 'profile.reevaluate-unit';
/**
 * The OU-wide re-evaluation of account scores (account rules changed, or score-now on an account ruleset): queued
 * here on the rescore queue with the profile one, processed by the accounts module's worker.
 */
export const ACCOUNT_REEVALUATE_UNIT = 'account.reevaluate-unit';
/** Leads per transaction of an OU-wide profile re-evaluation. */
export const PROFILE_CHUNK = 5000;

export interface ProfileJobData {
  org_id: string;
  unit_id: string;
  /** the ruleset score-now named, if any (informational: every profile ruleset is applied) */
  ruleset_id: string | null;
  cause: string;
  actor: string | null;
}

export interface ProfileOutcome {
  leads: number;
  scores_changed: number;
  disqualified: number;
  requalified: number;
}

const PROFILE = 'profile' as const;
const NO_OUTCOME: ProfileOutcome = { leads: 0, scores_changed: 0, disqualified: 0, requalified: 0 };

/** A profile re-evaluation decided (ProfileScoring.plan) and not yet written. */
export interface ProfilePlan {
  unitId: string;
  /** live leads evaluated */
  leads: number;
  /** leads whose profile score moves, and to what */
  moved: { id: string; score: number }[];
  /** disqualifications of the profile dimension to set, move or clear */
  dqChanges: { lead_ref: string; disqualified_by: Disqualifier | null }[];
  /** leads whose profile level is re-derived */
  follow: string[];
}

/** Whether any enabled ruleset has a rule: without one, nothing can score or disqualify. */
export function hasLiveRules(rulesets: readonly AttributeRuleset[]): boolean {
  return rulesets.some((r) => r.enabled && r.rules.length > 0);
}

/**
 * Profile scoring (PRF-8..11): `leads.profile_score`, `profile_level` (through the ProfileScoreFollower) and the
 * profile dimension's disqualification, all derived from the lead's current metadata and the OU's profile rulesets
 * through the pure `scoreAttributeRulesets`. Leads whose attributes changed are re-evaluated by the `profile-scores`
 * projection (batched, rules cached per OU by `scoring_setup_version`); a ruleset or rule change re-evaluates the
 * whole OU on the worker (`profile.reevaluate-unit`, chunks of PROFILE_CHUNK leads, progress reported). Also the
 * attribute scorer of the account and deal dimensions (`scoreAttributes`).
 */
@Injectable()
export class ProfileScoring {
  private readonly log = new Logger('ProfileScoring');

  constructor(
    private readonly ds: DataSource,
    private readonly setups: ScoringSetupService,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Rescore) private readonly queue: Queue,
    @Optional() private readonly follower?: ProfileScoreFollower,
    @Optional() private readonly qualification?: QualificationFollower,
  ) {}

  /**
   * The score of `attributes` under the OU's rulesets of `dimension` (cached): the primary's matching add_points
   * rules, and the first matching hard-DQ rule of any enabled ruleset. For the accounts slice (account attributes)
   * and deals; the profile live path and dry run use the same function.
   */
  async scoreAttributes(orgId: string, unitId: string, dimension: AttributeDimension, attributes: Metadata | null, m?: EntityManager): Promise<AttributeScore> {
    const rulesets = await this.setups.attributeRulesets(orgId, unitId, dimension, m);
    return scoreAttributeRulesets(dimension, rulesets, attributes);
  }

  /**
   * Re-evaluates these leads of one OU inside the caller's transaction (their metadata as this transaction sees it).
   * Returns what to do after commit (level changes published). Costs one one-row read when the OU has no profile rule
   * and nothing to undo.
   */
  async reevaluate(
    m: EntityManager,
    orgId: string,
    unitId: string,
    leadRefs: string[],
    /** re-derive the profile level of every given lead, not only of those whose score moved (the configuration changed) */
    allLevels = false,
    /** of the leads, those just created (their first profile level is derived even when the score stays 0) */
    created?: ReadonlySet<string>,
  ): Promise<{ outcome: ProfileOutcome; afterCommit: () => Promise<void> }> {
    // a change of attributes is evaluated under the row locks, so that of two evaluations of one lead (this and the
    // lead-events projection's, see `plan`) the later always reads the later metadata; the OU-wide job's chunks lock
    // only the rows they write
    const plan = await this.plan(m, orgId, unitId, leadRefs, { allLevels, lockFirst: !allLevels, created });
    return plan ? this.write(m, plan, { locked: !allLevels }) : { outcome: NO_OUTCOME, afterCommit: async () => undefined };
  }

  /**
   * Of leads just created with this metadata, those whose profile does not already read right: a new row's profile
   * score is 0 and it is not disqualified, so a creation metadata scoring 0 with no hard-DQ match needs nothing (any
   * later change of the lead's attributes is evaluated on its own). An ingested lead is created with none: with
   * mappings, its events' properties are the lead-events projection's to evaluate. One version read per call.
   */
  async createdNeedingEvaluation(m: EntityManager, orgId: string, unitId: string, created: ReadonlyMap<string, Metadata | null>): Promise<string[]> {
    if (!created.size) return [];
    const rulesets = await this.setups.attributeRulesets(orgId, unitId, PROFILE, m);
    if (!hasLiveRules(rulesets)) return [];
    return [...created].flatMap(([ref, metadata]) => {
      const { score, disqualified_by } = scoreAttributeRulesets(PROFILE, rulesets, metadata);
      return score !== 0 || disqualified_by ? [ref] : [];
    });
  }

  /**
   * The profile level of leads just created whose profile already reads right (see createdNeedingEvaluation): their
   * first level, which a score of 0 may have too. Returns what to publish after commit.
   */
  async followCreated(m: EntityManager, unitId: string, leadRefs: string[]): Promise<() => Promise<void>> {
    return leadRefs.length && this.follower ? this.follower.followProfile(m, unitId, leadRefs) : async () => undefined;
  }

  /**
   * The decision of a re-evaluation, nothing written yet: the leads' metadata, profile score and disqualification as
   * this transaction sees them (after locking their rows in id order when `lockFirst`, or when the caller holds those
   * locks), scored by the OU's rules. Null when there is nothing to do. The lead-events projection plans the leads an
   * ingest batch's mapped properties changed, writes the moved scores with its own row update and `write`s the rest.
   */
  async plan(
    m: EntityManager,
    orgId: string,
    unitId: string,
    leadRefs: string[],
    /** `created`: of the leads, those just created, whose first profile level is derived even when their score stays 0 */
    options: { allLevels?: boolean; lockFirst?: boolean; created?: ReadonlySet<string> } = {},
  ): Promise<ProfilePlan | null> {
    const allLevels = options.allLevels ?? false;
    const rulesets = await this.setups.attributeRulesets(orgId, unitId, PROFILE, m);
    const live = hasLiveRules(rulesets);
    // without a rule nothing can score or disqualify; leftovers of rules since removed are the OU-wide job's (queued by that change)
    if (!leadRefs.length || (!live && !allLevels)) return null;
    if (options.lockFirst) await lockRowsInIdOrder(m, 'leads', leadRefs);
    const leads = await selectRows<{
      id: string;
      metadata: Metadata | null;
      profile_score: number;
      disqualified: boolean;
      dq_dimension: string | null;
      dq_rule_id: string | null;
    }>(
      m,
      sql`SELECT id, metadata, profile_score, disqualified, disqualification->>'dimension' AS dq_dimension, disqualification->>'rule_id' AS dq_rule_id FROM leads
           WHERE id = ANY(${leadRefs}::text[]) AND unit_id = ${unitId} AND status = 'active'`,
    );
    // an OU without rules: only leftovers (scores or disqualifications from rules since removed) need writing
    const work = live ? leads : leads.filter((l) => Number(l.profile_score) !== 0 || (l.disqualified && l.dq_dimension === PROFILE));
    const created = leads.filter((l) => options.created?.has(l.id)).map((l) => l.id);
    if (!work.length && !allLevels && !created.length) return null;
    const results = work.map((l) => ({ lead: l, result: scoreAttributeRulesets(PROFILE, rulesets, l.metadata) }));
    const moved = results.filter((r) => Number(r.lead.profile_score) !== r.result.score);
    // only decisions that would set, move or clear this dimension's disqualification as read above (applyDisqualifications
    // checks again under its row locks): none at all while no profile rule disqualifies and no lead is disqualified by one
    const dqChanges = results.filter(({ lead, result: { disqualified_by: dq } }) =>
      dq ? !lead.disqualified || (lead.dq_dimension === PROFILE && lead.dq_rule_id !== dq.rule_id) : lead.disqualified && lead.dq_dimension === PROFILE,
    );
    return {
      unitId,
      leads: leads.length,
      moved: moved.map((r) => ({ id: r.lead.id, score: r.result.score })),
      dqChanges: dqChanges.map((r) => ({ lead_ref: r.lead.id, disqualified_by: r.result.disqualified_by })),
      follow: allLevels ? leads.map((l) => l.id) : [...new Set([...moved.map((r) => r.lead.id), ...created])],
    };
  }

  /**
   * Writes a plan: the moved profile scores (unless `scoresWritten`: the caller wrote them), the disqualifications,
   * what follows qualification, and the profile levels. `locked`: the caller holds the plan's row locks (implied by
   * `scoresWritten`). Returns the outcome and what to do after commit (level changes published).
   */
  async write(
    m: EntityManager,
    plan: ProfilePlan,
    options: { locked?: boolean; scoresWritten?: boolean } = {},
  ): Promise<{ outcome: ProfileOutcome; afterCommit: () => Promise<void> }> {
    const { unitId, moved, dqChanges, follow } = plan;
    // the rows written below (the level follows a moved score), locked in id order as every writer of `leads` does, so
    // that this never deadlocks with an ingest batch or the lead-events projection (the OU-wide job's level pass over a
    // whole chunk writes only the levels that change and is left out)
    if (!options.locked && !options.scoresWritten) await lockRowsInIdOrder(m, 'leads', [...moved.map((r) => r.id), ...dqChanges.map((r) => r.lead_ref)]);
    if (!options.scoresWritten) {
      if (moved.length) {
        await m.query(`UPDATE leads l SET profile_score = x.score FROM jsonb_to_recordset($1::jsonb) AS x(id text, score double precision) WHERE l.id = x.id`, [
          JSON.stringify(moved),
        ]);
      }
    }
    const dq = await applyDisqualifications(m, PROFILE, dqChanges, this.clock.now());
    // disqualified leads leave the account aggregates (an OU-wide re-evaluation has no Lead event the grouping follows)
    const requalified = [...dq.disqualified, ...dq.requalified];
    if (requalified.length && this.qualification) await this.qualification.qualificationChanged(m, requalified);
    const publish = follow.length && this.follower ? await this.follower.followProfile(m, unitId, follow) : async () => undefined;
    return {
      outcome: { leads: plan.leads, scores_changed: moved.length, disqualified: dq.disqualified.length, requalified: dq.requalified.length },
      afterCommit: publish,
    };
  }

  /** Queues the re-evaluation of every lead of the OU (a profile ruleset or rule changed, or score-now). */
  async queueUnit(data: ProfileJobData): Promise<string> {
    const job = await this.queue.add(PROFILE_REEVALUATE_UNIT, data, { removeOnComplete: 1000, removeOnFail: 1000 });
    return String(job.id);
  }

  /** Queues the re-evaluation of every account of the OU (an account ruleset or rule changed, or score-now). */
  async queueAccounts(data: ProfileJobData): Promise<string> {
    const job = await this.queue.add(ACCOUNT_REEVALUATE_UNIT, data, { removeOnComplete: 1000, removeOnFail: 1000 });
    return String(job.id);
  }

  /** Every live lead of the OU, chunk by chunk (one transaction each), against the rules current when the chunk runs. */
  async reevaluateUnit(orgId: string, unitId: string, progress?: (done: number, total: number) => Promise<void>): Promise<ProfileOutcome> {
    const { n: total } = (await selectOne<{ n: number }>(this.ds, sql`SELECT count(*)::int AS n FROM leads WHERE unit_id = ${unitId} AND status = 'active'`))!;
    const sum: ProfileOutcome = { leads: 0, scores_changed: 0, disqualified: 0, requalified: 0 };
    let after = '';
    for (;;) {
      const refs = (
        await selectRows<{ id: string }>(
          this.ds,
          sql`SELECT id FROM leads WHERE unit_id = ${unitId} AND status = 'active' AND id > ${after} ORDER BY id LIMIT ${PROFILE_CHUNK}`,
        )
      ).map((r) => r.id);
      if (!refs.length) break;
      after = refs[refs.length - 1];
      const { outcome, afterCommit } = await this.ds.transaction((m) => this.reevaluate(m, orgId, unitId, refs, true));
      await afterCommit();
      sum.leads += refs.length;
      sum.scores_changed += outcome.scores_changed;
      sum.disqualified += outcome.disqualified;
      sum.requalified += outcome.requalified;
      await progress?.(sum.leads, total);
      this.log.log({ msg: 'profile re-evaluation progress', unit_id: unitId, done: sum.leads, total });
    }
    return sum;
  }
}
