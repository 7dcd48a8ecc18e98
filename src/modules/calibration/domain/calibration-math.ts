/**
 * The calibration maths (CAL-8, CAL-10, CAL-11 suggested defaults), pure: the counts come from one set-based pass
 * over the cohort (see CalibrationEngine), everything here is arithmetic on them.
 */

/** CAL-3: fewer scored leads than this in the lookback window is `insufficient_cohort`. */
export const LEADS_REQUIRED = 50;
/** CAL-2: `cold_start_state.eligible` from this many conversions in the window. */
export const COLD_START_CONVERSIONS = 30;
/** CAL-11: empirical-Bayes prior strength, in leads, of the shrink towards lift 1. */
export const SHRINK_K = 30;
/** CAL-6, CAL-11: a run older than this is stale (apply refuses it). */
export const STALE_AFTER_DAYS = 14;
/** CAL-10: two rules co-occur when this share of the smaller rule's leads also triggered the other. */
export const OVERLAP_THRESHOLD = 0.7;
/** The rule weight range the rulesets API accepts; a suggestion never leaves it. */
export const MAX_ABS_WEIGHT = 100_000;

const DAY_MS = 86_400_000;

export type Confidence = 'insufficient' | 'low' | 'medium' | 'high';

/** What the cohort pass counted for one OU. */
export interface CohortCounts {
  cohort_size: number;
  conversions: number;
}

/** What the cohort pass counted for one rule: cohort leads that triggered it, and the converted among them. */
export interface RuleCounts {
  rule_id: string;
  weight: number;
  sample_size: number;
  conversions_count: number;
}

/** Leads two rules of one ruleset both triggered (`a` < `b` or any order; each pair once). */
export interface PairOverlap {
  a: string;
  b: string;
  both: number;
}

export interface CoOccurrenceWarning {
  rule_id: string;
  /** |A ∩ B| / min(|A|, |B|) × 100, one decimal */
  overlap_pct: number;
}

export interface RuleCalibration {
  rule_id: string;
  weight_at_run: number;
  sample_size: number;
  conversions_count: number;
  rule_cr: number;
  raw_lift: number;
  shrunk_lift: number;
  confidence: Confidence;
  suggested_weight: number | null;
  co_occurrence: CoOccurrenceWarning[];
}

/** `part / whole`, 0 when the whole is 0. */
export function rate(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** CAL-11: `rule_cr / baseline_cr`, 0 when the baseline is 0 (no conversions: nothing to learn). */
export function rawLift(ruleCr: number, baselineCr: number): number {
  return baselineCr > 0 ? ruleCr / baselineCr : 0;
}

/** CAL-11: `(n × lift + k × 1) / (n + k)`: small samples are pulled towards "no effect" (1). */
export function shrunkLift(sampleSize: number, lift: number, k = SHRINK_K): number {
  return (sampleSize * lift + k) / (sampleSize + k);
}

/** CAL-8/11 bands: insufficient below 30 leads or 5 conversions, then low < 100, medium < 300, high. */
export function confidenceBand(sampleSize: number, conversions: number): Confidence {
  if (sampleSize < 30 || conversions < 5) return 'insufficient';
  if (sampleSize < 100) return 'low';
  if (sampleSize < 300) return 'medium';
  return 'high';
}

/** The median of the positive weights (the base of a suggestion for a rule weighing 0); 1 when there is none. */
export function medianPositiveWeight(weights: readonly number[]): number {
  const positive = weights.filter((w) => w > 0).sort((x, y) => x - y);
  if (!positive.length) return 1;
  const mid = positive.length >> 1;
  return positive.length % 2 ? positive[mid] : (positive[mid - 1] + positive[mid]) / 2;
}

/**
 * CAL-11: `round(current × shrunk_lift)`, the sign of the current weight kept (a penalty stays a penalty); a rule
 * weighing 0 starts from the OU's median positive weight. Null when the confidence is insufficient. Kept inside the
 * weight range rules accept.
 */
export function suggestedWeight(current: number, shrunk: number, confidence: Confidence, medianPositive: number): number | null {
  if (confidence === 'insufficient') return null;
  const base = current === 0 ? medianPositive : current;
  const w = Math.round(Math.abs(base) * shrunk) * Math.sign(base);
  return Math.max(-MAX_ABS_WEIGHT, Math.min(MAX_ABS_WEIGHT, w === 0 ? 0 : w));
}

/**
 * CAL-10/11: for each pair whose overlap |A ∩ B| / min(|A|, |B|) reaches 70 %, a warning on both rules naming the
 * other. Warnings of a rule are ordered by overlap (highest first), then rule id.
 */
export function coOccurrence(
  sampleSizes: ReadonlyMap<string, number>,
  pairs: readonly PairOverlap[],
  threshold = OVERLAP_THRESHOLD,
): Map<string, CoOccurrenceWarning[]> {
  const out = new Map<string, CoOccurrenceWarning[]>();
  for (const p of pairs) {
    if (p.a === p.b) continue;
    const smaller = Math.min(sampleSizes.get(p.a) ?? 0, sampleSizes.get(p.b) ?? 0);
    if (smaller <= 0) continue;
    const overlap = p.both / smaller;
    if (overlap < threshold) continue;
    const pct = Math.round(overlap * 1000) / 10;
    (out.get(p.a) ?? out.set(p.a, []).get(p.a)!).push({ rule_id: p.b, overlap_pct: pct });
    (out.get(p.b) ?? out.set(p.b, []).get(p.b)!).push({ rule_id: p.a, overlap_pct: pct });
  }
  for (const list of out.values()) list.sort((x, y) => y.overlap_pct - x.overlap_pct || x.rule_id.localeCompare(y.rule_id));
  return out;
}

/** Every rule of one ruleset from the cohort counts (rules nobody triggered have sample 0 and no suggestion). */
export function calibrateRules(cohort: CohortCounts, rules: readonly RuleCounts[], pairs: readonly PairOverlap[], medianPositive: number): RuleCalibration[] {
  const baseline = rate(cohort.conversions, cohort.cohort_size);
  const warnings = coOccurrence(new Map(rules.map((r) => [r.rule_id, r.sample_size])), pairs);
  return rules.map((r) => {
    const ruleCr = rate(r.conversions_count, r.sample_size);
    const raw = rawLift(ruleCr, baseline);
    const shrunk = shrunkLift(r.sample_size, raw);
    const confidence = confidenceBand(r.sample_size, r.conversions_count);
    return {
      rule_id: r.rule_id,
      weight_at_run: r.weight,
      sample_size: r.sample_size,
      conversions_count: r.conversions_count,
      rule_cr: ruleCr,
      raw_lift: raw,
      shrunk_lift: shrunk,
      confidence,
      suggested_weight: suggestedWeight(r.weight, shrunk, confidence, medianPositive),
      co_occurrence: warnings.get(r.rule_id) ?? [],
    };
  });
}

/** CAL-11: `now − computed_at > 14 days`. */
export function isStale(computedAt: Date, now: Date, days = STALE_AFTER_DAYS): boolean {
  return now.getTime() - computedAt.getTime() > days * DAY_MS;
}

/** Rates and lifts as answered: 4 decimals (the stored figures keep full precision). */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
