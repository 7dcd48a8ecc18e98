import {
  GENTLE_SURGE_POLICY,
  STANDARD_SURGE_POLICY,
  SurgePolicy,
  bandMultiplier,
  boostPoints,
  effectiveSurgePolicy,
  sessionMultipliers,
  surgePolicyProblems,
  surgeStep,
} from './surge-multiplier';

const T0 = Date.parse('2025-03-01T09:00:00Z');
/** Event times at the given second offsets. */
const times = (...seconds: number[]) => seconds.map((s) => new Date(T0 + s * 1000));
/** n events one minute apart. */
const everyMinute = (n: number) => times(...Array.from({ length: n }, (_, i) => i * 60));

const custom = (patch: Partial<SurgePolicy> = {}): SurgePolicy => ({
  mode: 'custom',
  bands: [
    { min_events: 1, multiplier: 1 },
    { min_events: 2, multiplier: 2.5 },
    { min_events: 4, multiplier: 3 },
  ],
  idle_reset_seconds: 60,
  multiplier_cap: 2,
  ...patch,
});

describe('SUR-S3 presets', () => {
  it('defines Standard as specified', () => {
    expect(STANDARD_SURGE_POLICY).toEqual({
      mode: 'standard',
      bands: [
        { min_events: 1, multiplier: 1.0 },
        { min_events: 3, multiplier: 1.25 },
        { min_events: 5, multiplier: 1.5 },
        { min_events: 8, multiplier: 2.0 },
      ],
      idle_reset_seconds: 1800,
      multiplier_cap: 2.0,
    });
  });

  it('defines Gentle as specified', () => {
    expect(GENTLE_SURGE_POLICY).toEqual({
      mode: 'gentle',
      bands: [
        { min_events: 1, multiplier: 1.0 },
        { min_events: 3, multiplier: 1.1 },
        { min_events: 5, multiplier: 1.25 },
        { min_events: 8, multiplier: 1.5 },
      ],
      idle_reset_seconds: 1800,
      multiplier_cap: 1.5,
    });
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(STANDARD_SURGE_POLICY)).toBe(true);
    expect(Object.isFrozen(STANDARD_SURGE_POLICY.bands)).toBe(true);
  });
});

describe('effectiveSurgePolicy', () => {
  it('falls back to Standard when nothing is stored (SUR-S1)', () => {
    expect(effectiveSurgePolicy(null)).toBe(STANDARD_SURGE_POLICY);
  });

  it('uses the preset values for named presets, ignoring stored numbers', () => {
    expect(effectiveSurgePolicy({ ...custom(), mode: 'standard' })).toBe(STANDARD_SURGE_POLICY);
    expect(effectiveSurgePolicy({ ...custom(), mode: 'gentle' })).toBe(GENTLE_SURGE_POLICY);
  });

  it('uses stored values for custom and off', () => {
    const stored = custom();
    expect(effectiveSurgePolicy(stored)).toBe(stored);
    const off = { ...stored, mode: 'off' as const };
    expect(effectiveSurgePolicy(off)).toBe(off);
  });
});

describe('sessionMultipliers', () => {
  it('walks the Standard bands', () => {
    expect(sessionMultipliers(everyMinute(9), STANDARD_SURGE_POLICY)).toEqual([1, 1, 1.25, 1.25, 1.5, 1.5, 1.5, 2, 2]);
  });

  it('walks the Gentle bands', () => {
    expect(sessionMultipliers(everyMinute(9), GENTLE_SURGE_POLICY)).toEqual([1, 1, 1.1, 1.1, 1.25, 1.25, 1.25, 1.5, 1.5]);
  });

  it('is always 1 when off, whatever the bands', () => {
    expect(sessionMultipliers(everyMinute(5), { ...custom(), mode: 'off' })).toEqual([1, 1, 1, 1, 1]);
  });

  it('caps at multiplier_cap', () => {
    expect(sessionMultipliers(times(0, 10, 20, 30, 40), custom())).toEqual([1, 2, 2, 2, 2]);
    expect(sessionMultipliers(times(0, 10, 20, 30), custom({ multiplier_cap: 3 }))).toEqual([1, 2.5, 2.5, 3]);
  });

  it('continues at a gap of exactly idle_reset_seconds and resets just beyond it', () => {
    const policy = custom({ multiplier_cap: 3 });
    expect(sessionMultipliers(times(0, 60, 120), policy)).toEqual([1, 2.5, 2.5]);
    expect(sessionMultipliers(times(0, 60, 120.001), policy)).toEqual([1, 2.5, 1]);
    expect(sessionMultipliers(times(0, 60, 181, 200, 220, 240), policy)).toEqual([1, 2.5, 1, 2.5, 2.5, 3]);
  });

  it('resets Standard after 30 idle minutes', () => {
    const t = times(0, 60, 120, 120 + 1800, 120 + 1800 + 1801, 120 + 3600 + 1801);
    expect(sessionMultipliers(t, STANDARD_SURGE_POLICY)).toEqual([1, 1, 1.25, 1.25, 1, 1]);
  });

  it('answers in input order for unsorted times', () => {
    expect(sessionMultipliers(times(40, 0, 20, 10, 30), custom({ multiplier_cap: 3 }))).toEqual([3, 1, 2.5, 2.5, 3]);
  });

  it('gives 1.0 below the lowest band', () => {
    const sparse = custom({ bands: [{ min_events: 3, multiplier: 1.5 }], multiplier_cap: 3 });
    expect(sessionMultipliers(times(0, 1, 2, 3), sparse)).toEqual([1, 1, 1.5, 1.5]);
  });

  it('counts equal instants as consecutive events of one session', () => {
    expect(sessionMultipliers(times(0, 0, 0), custom({ multiplier_cap: 3 }))).toEqual([1, 2.5, 2.5]);
  });

  it('handles no events', () => {
    expect(sessionMultipliers([], STANDARD_SURGE_POLICY)).toEqual([]);
  });
});

describe('bandMultiplier', () => {
  it('picks the highest band reached even when bands are stored unsorted', () => {
    const unsorted = custom({
      bands: [
        { min_events: 5, multiplier: 1.5 },
        { min_events: 1, multiplier: 1 },
        { min_events: 3, multiplier: 1.2 },
      ],
      multiplier_cap: 3,
    });
    expect([1, 2, 3, 4, 5, 50].map((k) => bandMultiplier(unsorted, k))).toEqual([1, 1, 1.2, 1.2, 1.5, 1.5]);
  });
});

describe('boostPoints (SUR-S3 surge_boost)', () => {
  it('is only the added part', () => {
    expect(boostPoints(10, 1.25)).toBe(2.5);
    expect(boostPoints(10, 1)).toBe(0);
    expect(boostPoints(-4, 1.5)).toBe(-2);
  });
});

describe('surgePolicyProblems', () => {
  it('accepts the presets and a valid custom policy', () => {
    expect(surgePolicyProblems(STANDARD_SURGE_POLICY)).toEqual([]);
    expect(surgePolicyProblems(GENTLE_SURGE_POLICY)).toEqual([]);
    expect(surgePolicyProblems(custom({ multiplier_cap: 3 }))).toEqual([]);
    expect(surgePolicyProblems({ ...custom(), mode: 'off', bands: [] })).toEqual([]);
  });

  it('requires bands for custom', () => {
    expect(surgePolicyProblems(custom({ bands: [] }))).toEqual(['custom mode needs at least one band']);
  });

  it('checks ranges', () => {
    expect(
      surgePolicyProblems({
        mode: 'turbo' as SurgePolicy['mode'],
        bands: [
          { min_events: 0, multiplier: 1 },
          { min_events: 2, multiplier: 0.5 },
          { min_events: 2, multiplier: 3.5 },
        ],
        idle_reset_seconds: 0,
        multiplier_cap: 3.5,
      }),
    ).toEqual([
      'mode must be one of off, standard, gentle, custom',
      'idle_reset_seconds must be an integer >= 1',
      'multiplier_cap must be between 1 and 3',
      'band min_events must be an integer >= 1',
      'band multiplier must be between 1 and 3',
      'band min_events 2 appears twice',
      'band multiplier must be between 1 and 3',
    ]);
    expect(surgePolicyProblems(custom({ idle_reset_seconds: 1.5, multiplier_cap: 0.9 }))).toEqual([
      'idle_reset_seconds must be an integer >= 1',
      'multiplier_cap must be between 1 and 3',
    ]);
  });
});

describe('surgeStep (the live pipeline, one event at a time)', () => {
  const walk = (at: Date[], policy: SurgePolicy) => {
    let session: ReturnType<typeof surgeStep>['session'] | null = null;
    return at.map((t) => {
      const step = surgeStep(session, t, policy);
      session = step.session;
      return step;
    });
  };

  it('gives the same multipliers as sessionMultipliers for events in time order', () => {
    const t = times(0, 60, 120, 120 + 1800, 120 + 1800 + 1801, 120 + 3600 + 1801, 9000, 9001, 9002, 9003, 9004, 9005, 9006);
    expect(walk(t, STANDARD_SURGE_POLICY).map((s) => s.multiplier)).toEqual(sessionMultipliers(t, STANDARD_SURGE_POLICY));
    expect(walk(everyMinute(9), GENTLE_SURGE_POLICY).map((s) => s.multiplier)).toEqual([1, 1, 1.1, 1.1, 1.25, 1.25, 1.25, 1.5, 1.5]);
  });

  it('counts positions and keeps the session span', () => {
    const steps = walk(times(0, 60, 120), STANDARD_SURGE_POLICY);
    expect(steps.map((s) => s.position)).toEqual([1, 2, 3]);
    expect(steps[2].session).toEqual({ started_at: T0, last_at: T0 + 120_000, events: 3 });
  });

  it('lets a late event inside (or just before) the session join it as the next event', () => {
    const policy = custom({ multiplier_cap: 3 });
    const steps = walk(times(100, 130, 110, 45), policy);
    expect(steps.map((s) => [s.position, s.multiplier])).toEqual([
      [1, 1],
      [2, 2.5],
      [3, 2.5],
      [4, 3],
    ]);
    expect(steps[3].session).toEqual({ started_at: T0 + 45_000, last_at: T0 + 130_000, events: 4 });
  });

  it('scores an older late event as a session of its own and leaves the current session alone', () => {
    const policy = custom({
      multiplier_cap: 3,
      bands: [
        { min_events: 1, multiplier: 1.2 },
        { min_events: 2, multiplier: 2 },
      ],
    });
    const steps = walk(times(1000, 1010, 10), policy);
    expect(steps.map((s) => [s.position, s.multiplier])).toEqual([
      [1, 1.2],
      [2, 2],
      [1, 1.2],
    ]);
    expect(steps[2].session).toBe(steps[1].session);
  });

  it('is 1 when off but still follows the session', () => {
    const steps = walk(everyMinute(4), { ...STANDARD_SURGE_POLICY, mode: 'off' });
    expect(steps.map((s) => s.multiplier)).toEqual([1, 1, 1, 1]);
    expect(steps[3].session.events).toBe(4);
  });
});
