import {
  calibrateRules,
  coOccurrence,
  confidenceBand,
  isStale,
  medianPositiveWeight,
  rate,
  rawLift,
  round4,
  shrunkLift,
  suggestedWeight,
} from './calibration-math';

describe('calibration maths (CAL-11)', () => {
  describe('rates and lift', () => {
    it('baseline and rule conversion rates are shares, 0 on an empty whole', () => {
      expect(rate(10, 200)).toBe(0.05);
      expect(rate(0, 0)).toBe(0);
    });

    it('raw lift is rule_cr / baseline_cr, 0 when the baseline is 0', () => {
      expect(rawLift(0.3, 0.1)).toBeCloseTo(3, 12);
      expect(rawLift(0.05, 0.1)).toBeCloseTo(0.5, 12);
      expect(rawLift(0.3, 0)).toBe(0);
    });

    it('shrinks towards 1 with k = 30: (n × lift + 30) / (n + 30)', () => {
      // 30 leads at lift 3: halfway to 1 → 2
      expect(shrunkLift(30, 3)).toBe(2);
      // 270 leads at lift 3: (810 + 30) / 300 = 2.8
      expect(shrunkLift(270, 3)).toBeCloseTo(2.8, 12);
      // no sample: exactly 1
      expect(shrunkLift(0, 5)).toBe(1);
      // a weak rule is pulled up towards 1: (60 × 0.5 + 30) / 90 = 0.6667
      expect(round4(shrunkLift(60, 0.5))).toBe(0.6667);
    });
  });

  describe('confidence bands', () => {
    it.each([
      [29, 10, 'insufficient'],
      [500, 4, 'insufficient'],
      [30, 5, 'low'],
      [99, 50, 'low'],
      [100, 5, 'medium'],
      [299, 5, 'medium'],
      [300, 5, 'high'],
      [10_000, 900, 'high'],
    ])('sample %i with %i conversions → %s', (n, c, band) => {
      expect(confidenceBand(n, c)).toBe(band);
    });
  });

  describe('suggested weight', () => {
    it('is round(current × shrunk lift), null when insufficient', () => {
      expect(suggestedWeight(10, 2.8, 'high', 5)).toBe(28);
      expect(suggestedWeight(10, 0.6667, 'low', 5)).toBe(7);
      expect(suggestedWeight(10, 2.8, 'insufficient', 5)).toBeNull();
    });

    it('keeps the sign of a penalty', () => {
      expect(suggestedWeight(-10, 1.5, 'medium', 5)).toBe(-15);
    });

    it('starts a rule weighing 0 from the OU median positive weight', () => {
      expect(suggestedWeight(0, 2, 'medium', 12.5)).toBe(25);
    });

    it('stays inside the weight range rules accept', () => {
      expect(suggestedWeight(90_000, 3, 'high', 1)).toBe(100_000);
    });

    it('median of positive weights: odd, even, none', () => {
      expect(medianPositiveWeight([-5, 10, 0, 30, 20])).toBe(20);
      expect(medianPositiveWeight([10, 15, -3])).toBe(12.5);
      expect(medianPositiveWeight([0, -2])).toBe(1);
    });
  });

  describe('co-occurrence (70 % of the smaller rule)', () => {
    const sizes = new Map([
      ['r1', 100],
      ['r2', 40],
      ['r3', 200],
      ['r4', 50],
    ]);

    it('warns on both rules of a pair at or above 70 %, with the overlap in percent', () => {
      const w = coOccurrence(sizes, [
        { a: 'r1', b: 'r2', both: 28 }, // 28 / 40 = 70 % exactly → warning
        { a: 'r1', b: 'r3', both: 69 }, // 69 / 100 = 69 % → none
        { a: 'r3', b: 'r4', both: 45 }, // 45 / 50 = 90 %
      ]);
      expect(w.get('r1')).toEqual([{ rule_id: 'r2', overlap_pct: 70 }]);
      expect(w.get('r2')).toEqual([{ rule_id: 'r1', overlap_pct: 70 }]);
      expect(w.get('r3')).toEqual([{ rule_id: 'r4', overlap_pct: 90 }]);
      expect(w.get('r4')).toEqual([{ rule_id: 'r3', overlap_pct: 90 }]);
    });

    it('orders a rule’s warnings by overlap and ignores empty rules', () => {
      const w = coOccurrence(new Map([...sizes, ['r5', 0]]), [
        { a: 'r4', b: 'r1', both: 40 }, // 80 %
        { a: 'r4', b: 'r3', both: 50 }, // 100 %
        { a: 'r5', b: 'r1', both: 0 },
      ]);
      expect(w.get('r4')).toEqual([
        { rule_id: 'r3', overlap_pct: 100 },
        { rule_id: 'r1', overlap_pct: 80 },
      ]);
      expect(w.has('r5')).toBe(false);
    });
  });

  describe('a hand-computed cohort', () => {
    // 1,000 scored leads, 100 converted: baseline 10 %.
    // demo: 300 leads, 90 converted → 30 %, lift 3, shrunk (900 + 30) / 330 = 2.8182, high → round(30 × 2.8182) = 85
    // page: 600 leads, 50 converted → 8.33 %, lift 0.8333, shrunk (500 + 30) / 630 = 0.8413, high → round(10 × 0.8413) = 8
    // rare: 20 leads, 10 converted → insufficient, no suggestion
    // zero: weight 0, 150 leads, 30 converted → 20 %, lift 2, shrunk (300 + 30) / 180 = 1.8333, medium → from the median positive weight (5, 10, 30 → 10): round(10 × 1.8333) = 18
    // demo and page overlap on 250 leads: 250 / 300 = 83.3 %
    const results = calibrateRules(
      { cohort_size: 1000, conversions: 100 },
      [
        { rule_id: 'demo', weight: 30, sample_size: 300, conversions_count: 90 },
        { rule_id: 'page', weight: 10, sample_size: 600, conversions_count: 50 },
        { rule_id: 'rare', weight: 5, sample_size: 20, conversions_count: 10 },
        { rule_id: 'zero', weight: 0, sample_size: 150, conversions_count: 30 },
      ],
      [
        { a: 'demo', b: 'page', both: 250 },
        { a: 'demo', b: 'zero', both: 50 },
      ],
      medianPositiveWeight([30, 10, 5, 0]),
    );
    const by = Object.fromEntries(results.map((r) => [r.rule_id, r]));

    it('computes each rule', () => {
      expect(round4(by.demo.rule_cr)).toBe(0.3);
      expect(round4(by.demo.raw_lift)).toBe(3);
      expect(round4(by.demo.shrunk_lift)).toBe(2.8182);
      expect(by.demo.confidence).toBe('high');
      expect(by.demo.suggested_weight).toBe(85);

      expect(round4(by.page.raw_lift)).toBe(0.8333);
      expect(round4(by.page.shrunk_lift)).toBe(0.8413);
      expect(by.page.suggested_weight).toBe(8);

      expect(by.rare.confidence).toBe('insufficient');
      expect(by.rare.suggested_weight).toBeNull();

      expect(by.zero.confidence).toBe('medium');
      expect(by.zero.suggested_weight).toBe(18);
    });

    it('flags the co-occurring pair only', () => {
      expect(by.demo.co_occurrence).toEqual([{ rule_id: 'page', overlap_pct: 83.3 }]);
      expect(by.page.co_occurrence).toEqual([{ rule_id: 'demo', overlap_pct: 83.3 }]);
      expect(by.zero.co_occurrence).toEqual([]);
    });

    it('a cohort without conversions gives lift 0, shrunk towards 1, and no suggestion', () => {
      const [r] = calibrateRules({ cohort_size: 500, conversions: 0 }, [{ rule_id: 'x', weight: 10, sample_size: 120, conversions_count: 0 }], [], 10);
      expect(r.rule_cr).toBe(0);
      expect(r.raw_lift).toBe(0);
      expect(r.shrunk_lift).toBeCloseTo(30 / 150, 12);
      expect(r.confidence).toBe('insufficient');
      expect(r.suggested_weight).toBeNull();
    });
  });

  it('stale after more than 14 days', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(isStale(at, new Date('2026-01-15T00:00:00Z'))).toBe(false);
    expect(isStale(at, new Date('2026-01-15T00:00:01Z'))).toBe(true);
  });
});
