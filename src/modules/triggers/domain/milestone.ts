import { addToTerms, decayTerms, roundScore, ScoreTerms, termsTotal } from '../../scoring/domain';
import { FireMode } from './trigger-events';

/**
 * Milestone detection (MS-3, MS-4, MS-10): one pure step per scored event, shared by the live detection and
 * simulate, so both agree. Scores are compared as displayed (rounded).
 *
 * - Upward crossing `previous < threshold ≤ score` by an event of the trigger's type ('' = any) → "Milestone
 *   Reached", unless the mode is `once` and it fired for the lead before, or the mode is `always` and the last
 *   firing is less than the cooldown ago.
 * - Downward crossing `previous ≥ threshold > score` of a lead the trigger reached → "Milestone Exited" (whatever
 *   the event's type; no fire mode or cooldown applies to exits).
 */
export interface MilestoneRule {
  threshold: number;
  /** canonical event type of the causing event; '' = any */
  eventTypeKey: string;
  fireMode: FireMode;
  cooldownMs: number;
}

export interface MilestoneLeadState {
  firedCount: number;
  lastFiredAt: Date | null;
  /** a Reached firing is the lead's latest crossing (an Exited may follow) */
  above: boolean;
}

export interface ScoreStep {
  event_id: string;
  event_type_key: string;
  at: Date;
  previous: number;
  score: number;
  /** `previous` and `score` as displayed, when the step's producer rounded them already (one rounding for every trigger) */
  rounded?: { previous: number; score: number };
}

export type MilestoneKind = 'reached' | 'exited';

export const NEW_MILESTONE_STATE: MilestoneLeadState = { firedCount: 0, lastFiredAt: null, above: false };

export function milestoneStep(rule: MilestoneRule, state: MilestoneLeadState, step: ScoreStep): { kind: MilestoneKind | null; state: MilestoneLeadState } {
  const { previous, score } = step.rounded ?? { previous: roundScore(step.previous), score: roundScore(step.score) };
  if (previous < rule.threshold && score >= rule.threshold) {
    if (rule.eventTypeKey && rule.eventTypeKey !== step.event_type_key) return { kind: null, state };
    if (rule.fireMode === 'once' && state.firedCount > 0) return { kind: null, state };
    if (rule.fireMode === 'always' && state.lastFiredAt && step.at.getTime() - state.lastFiredAt.getTime() < rule.cooldownMs) return { kind: null, state };
    return { kind: 'reached', state: { firedCount: state.firedCount + 1, lastFiredAt: step.at, above: true } };
  }
  if (state.above && previous >= rule.threshold && score < rule.threshold) return { kind: 'exited', state: { ...state, above: false } };
  return { kind: null, state };
}

/** Every firing over a sequence of score steps (simulate); the live path calls `milestoneStep` per event with stored state. */
export function detectMilestones(
  rule: MilestoneRule,
  steps: ScoreStep[],
  initial: MilestoneLeadState = NEW_MILESTONE_STATE,
): (ScoreStep & { kind: MilestoneKind })[] {
  const fired: (ScoreStep & { kind: MilestoneKind })[] = [];
  let state = initial;
  for (const step of steps) {
    const r = milestoneStep(rule, state, step);
    state = r.state;
    if (r.kind) fired.push({ ...step, kind: r.kind });
  }
  return fired;
}

/** The primary engagement score of one lead followed event by event: one running sum per half-life, valued as of `asOf`. */
export interface RunningScore {
  terms: ScoreTerms;
  asOf: Date;
}

export interface ScoredEvent {
  event_id: string;
  event_type_key: string;
  occurred_at: Date;
  /** what the event earned in the primary ruleset (none when it earned nothing) */
  points: { base_points: number; multiplier: number; half_life_days: number | null }[];
}

/**
 * Moves a running score over one event: the score just before it (decayed to the event's time) and just after.
 * A back-dated event is valued at the running score's instant (it never moves time backwards). Scores are floored at 0.
 */
export function advanceScore(running: RunningScore | null, e: ScoredEvent): { running: RunningScore; step: ScoreStep } {
  const from = running ?? { terms: {}, asOf: e.occurred_at };
  const at = e.occurred_at.getTime() > from.asOf.getTime() ? e.occurred_at : from.asOf;
  const terms = decayTerms(from.terms, from.asOf, at);
  const previous = Math.max(0, termsTotal(terms));
  for (const p of e.points) addToTerms(terms, { occurred_at: e.occurred_at, ...p }, at);
  const score = Math.max(0, termsTotal(terms));
  return {
    running: { terms, asOf: at },
    step: {
      event_id: e.event_id,
      event_type_key: e.event_type_key,
      at: e.occurred_at,
      previous,
      score,
      rounded: { previous: roundScore(previous), score: roundScore(score) },
    },
  };
}

/** Score steps of a lead's events in order, from a starting score (simulate replays a lead's history from zero). */
export function scoreSteps(events: ScoredEvent[], start: RunningScore | null = null): ScoreStep[] {
  const steps: ScoreStep[] = [];
  let running = start;
  for (const e of events) {
    const r = advanceScore(running, e);
    running = r.running;
    steps.push(r.step);
  }
  return steps;
}

/**
 * A lead's history replayed as the live detection sees it: every scored event moves the score, those that may fire
 * triggers (`fires`) are stepped through the rule. Simulate's answer for one lead.
 */
export function simulateMilestone(rule: MilestoneRule, events: (ScoredEvent & { fires: boolean })[]): (ScoreStep & { kind: MilestoneKind })[] {
  const fired: (ScoreStep & { kind: MilestoneKind })[] = [];
  let running: RunningScore | null = null;
  let state = NEW_MILESTONE_STATE;
  for (const e of events) {
    const r = advanceScore(running, e);
    running = r.running;
    if (!e.fires) continue;
    const s = milestoneStep(rule, state, r.step);
    state = s.state;
    if (s.kind) fired.push({ ...r.step, kind: s.kind });
  }
  return fired;
}
