import type { EntityManager } from 'typeorm';

/**
 * What derives from `leads.profile_score` (the profile level): told inside the transaction that moved the profile
 * scores of some leads of one OU, it updates what it keeps and answers what to do once committed (publish). The
 * levels module implements it, as PrimaryScoreFollower, so scoring never depends on levels.
 */
export abstract class ProfileScoreFollower {
  abstract followProfile(m: EntityManager, unitId: string, leadRefs: string[] | 'all'): Promise<() => Promise<void>>;
}

/**
 * What derives from the qualification of leads (account aggregates over qualified leads): told inside the transaction
 * in which profile scoring disqualified or re-qualified some leads, it updates what it keeps. The accounts module
 * implements it, so scoring never depends on accounts. Not called when nothing's qualification changed.
 */
export abstract class QualificationFollower {
  abstract qualificationChanged(m: EntityManager, leadRefs: string[]): Promise<void>;
}
