import type { EntityManager } from 'typeorm';

/**
 * What derives from `leads.score` (the primary engagement score) and must move with it: told inside the
 * transaction that changed the scores of some leads, it updates what it keeps and answers what to do once that
 * transaction committed (publish). The levels module implements it, so scoring never depends on levels.
 */
export abstract class PrimaryScoreFollower {
  abstract follow(m: EntityManager, leadRefs: string[]): Promise<() => Promise<void>>;
}
