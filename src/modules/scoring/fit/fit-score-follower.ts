import type { EntityManager } from 'typeorm';

/**
 * What derives from `leads.profile_score` (the profile level): told inside the transaction that moved the profile
 * scores of some leads of one OU, it updates what it keeps and answers what to do once committed (publish). The
 * levels module implements it, as PrimaryScoreFollower, so scoring never depends on levels.
 */
export abstract class ProfileScoreFollower {
  abstract followProfile(m: EntityManager, unitId: string, leadRefs: string[] | 'all'): Promise<() => Promise<void>>;
}
