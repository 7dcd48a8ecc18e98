import { mulberry32, samplePlan, sampleDay } from './sample-catalog';

describe('sample catalog', () => {
  it('mulberry32 gives the same sequence for the same seed, in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('is the same plan all day long, shifted by whole days on another day', () => {
    const morning = samplePlan(sampleDay(new Date('2025-08-15T00:00:00Z')));
    const evening = samplePlan(sampleDay(new Date('2025-08-15T23:59:59.999Z')));
    expect(evening).toEqual(morning);
    const next = samplePlan(sampleDay(new Date('2025-08-16T08:00:00Z')));
    expect(next.leads).toEqual(morning.leads);
    expect(next.events.map((e) => Date.parse(e.timestamp) - 86_400_000)).toEqual(morning.events.map((e) => Date.parse(e.timestamp)));
  });

  it('names every event uniquely and groups leads under 12 .example companies', () => {
    const plan = samplePlan(sampleDay(new Date('2025-08-15T12:00:00Z')));
    expect(new Set(plan.events.map((e) => e.event_id)).size).toBe(plan.events.length);
    expect(plan.account_ids).toHaveLength(12);
    expect(plan.leads.every((l) => l.email.endsWith('.example') && plan.account_ids.includes(l.account_id))).toBe(true);
  });
});
