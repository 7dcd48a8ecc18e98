import type { LeadEventRescore } from '../domain';

/**
 * Where score-now's results go: the engine computes how each event now scores under a ruleset, and the owner of
 * the Lead aggregate records the changes on the leads' streams. The leads module provides the implementation
 * (a command of its own), so scoring never depends on leads — arrows point into the engine, not out of it.
 */
export abstract class RescoreRecorder {
  /** Records, per lead ref, the events whose contribution under `rulesetId` changed (one transaction per call). */
  abstract record(changes: ReadonlyMap<string, LeadEventRescore[]>, rulesetId: string, jobId: string, metadata: Record<string, unknown>): Promise<void>;
}
