import { advanceScore, detectMilestones, MilestoneRule, scoreSteps, simulateMilestone } from './milestone';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const ev = (id: string, s: number, points: number, type = 'page_view', halfLife: number | null = null) => ({
  event_id: id,
  event_type_key: type,
  occurred_at: at(s),
  points: points ? [{ base_points: points, multiplier: 1, half_life_days: halfLife }] : [],
});

describe('milestone detection', () => {
  const once: MilestoneRule = { threshold: 50, eventTypeKey: '', fireMode: 'once', cooldownMs: 0 };

  it('follows the score event by event: the score just before and just after each event', () => {
    const steps = scoreSteps([ev('a', 0, 30), ev('b', 10, 25), ev('c', 20, -60)]);
    expect(steps.map((s) => [s.previous, s.score])).toEqual([
      [0, 30],
      [30, 55],
      [55, 0],
    ]);
  });

  it('decays the running score between events by each contribution’s half-life', () => {
    const first = advanceScore(null, ev('a', 0, 40, 'x', 1));
    const second = advanceScore(first.running, ev('b', 86_400, 0));
    expect(second.step.previous).toBeCloseTo(20);
  });

  it('fires Milestone Reached on an upward crossing only (previous < threshold ≤ score), once per lead in mode once', () => {
    const fired = detectMilestones(once, scoreSteps([ev('a', 0, 40), ev('b', 1, 10), ev('c', 2, 10), ev('d', 3, -30), ev('e', 4, 30)]));
    expect(fired.map((f) => [f.event_id, f.kind])).toEqual([
      ['b', 'reached'],
      ['d', 'exited'],
    ]);
  });

  it('does not fire when already above, nor when the crossing event is of another type than the trigger’s', () => {
    const typed = { ...once, eventTypeKey: 'demo_request' };
    expect(detectMilestones(typed, scoreSteps([ev('a', 0, 60, 'page_view')]))).toEqual([]);
    expect(detectMilestones(typed, scoreSteps([ev('a', 0, 60, 'demo_request')])).map((f) => f.event_id)).toEqual(['a']);
  });

  it('fires on every crossing in mode always, but not again within the cooldown (a suppressed crossing has no exit)', () => {
    const always: MilestoneRule = { ...once, fireMode: 'always', cooldownMs: 100_000 };
    const events = [ev('a', 0, 60), ev('b', 10, -20), ev('c', 20, 20), ev('d', 200, -20), ev('e', 210, 20)];
    expect(detectMilestones(always, scoreSteps(events)).map((f) => `${f.event_id}:${f.kind}`)).toEqual(['a:reached', 'b:exited', 'e:reached']);
    expect(detectMilestones({ ...always, cooldownMs: 0 }, scoreSteps(events)).filter((f) => f.kind === 'reached')).toHaveLength(3);
  });

  it('simulate moves the score on every event but fires only on events that may fire (skip_triggers)', () => {
    const fired = simulateMilestone(once, [
      { ...ev('a', 0, 60), fires: false },
      { ...ev('b', 1, -30), fires: true },
      { ...ev('c', 2, 30), fires: true },
    ]);
    expect(fired.map((f) => `${f.event_id}:${f.kind}`)).toEqual(['c:reached']);
  });
});
