import { Queryable } from '../../../platform/database';
import { Dimension } from '../domain/dimension';
import { StoredContribution } from '../domain/score-ruleset';

/**
 * "What is scored" for one dimension: where its stored, undecayed contributions live. The engine (rule
 * matching, windows, half-life, floors, the score reader) is shared; profile, account and deal scoring plug in
 * here as further sources rather than copies of the engine.
 */
export interface DimensionSource {
  readonly dimension: Dimension;
  /** The subject's stored contributions per ruleset id (a lead's `lead_ref` for engagement). */
  contributions(db: Queryable, subjectRef: string): Promise<Map<string, StoredContribution[]>>;
}
