import { PriorEvent } from './timed-event';
import { VelocityDecision, VelocityFilter, applyVelocityFilters, velocityDecision } from './velocity-filter';

const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const prior = (id: string, seconds: number, suppression: PriorEvent['suppression'] = null): PriorEvent => ({
  id,
  occurred_at: at(seconds),
  suppression,
});

const fiveMinutes = 300_000;
const plain: VelocityFilter = { event_type: 'Page View', count_threshold: 3, time_window_ms: fiveMinutes, group_events: false };
const grouped: VelocityFilter = { ...plain, group_events: true };

/** Feeds events one by one, storing each outcome (and regroups) the way the live pipeline would. */
function replay(filter: VelocityFilter, seconds: number[]): Record<string, string> {
  const stored: PriorEvent[] = [];
  seconds.forEach((s, i) => {
    const event = { id: `e${i + 1}`, occurred_at: at(s) };
    const decision = velocityDecision(filter, event, stored);
    for (const id of decision.regroup) {
      const target = stored.find((p) => p.id === id);
      if (target) target.suppression = 'inorganic_grouped';
    }
    stored.push({ ...event, suppression: decision.outcome === 'kept' ? null : decision.outcome });
  });
  return Object.fromEntries(stored.map((p) => [p.id, p.suppression ?? 'kept']));
}

describe('velocityDecision without group_events (VF-2, VF-6)', () => {
  it('keeps up to the threshold and suppresses only when it is exceeded', () => {
    expect(replay(plain, [0, 10, 20, 30, 40])).toEqual({ e1: 'kept', e2: 'kept', e3: 'kept', e4: 'inorganic', e5: 'inorganic' });
  });

  it('keeps the event that reaches the threshold exactly', () => {
    const decision = velocityDecision(plain, { id: 'n', occurred_at: at(30) }, [prior('a', 0), prior('b', 10)]);
    expect(decision).toEqual<VelocityDecision>({ outcome: 'kept', regroup: [] });
  });

  it('uses the window (t − W, t]: an event exactly W ago no longer counts', () => {
    const stored = [prior('a', 0), prior('b', 100), prior('c', 200)];
    expect(velocityDecision(plain, { id: 'n', occurred_at: at(300) }, stored).outcome).toBe('kept');
    expect(velocityDecision(plain, { id: 'n', occurred_at: at(299.999) }, stored).outcome).toBe('inorganic');
  });

  it('counts velocity-suppressed events so a sustained burst stays suppressed', () => {
    const stored = [prior('a', 0, 'inorganic'), prior('b', 1, 'inorganic_grouped'), prior('c', 2, 'inorganic')];
    expect(velocityDecision(plain, { id: 'n', occurred_at: at(3) }, stored).outcome).toBe('inorganic');
  });

  it('does not count metadata-filtered events or fan-out duplicates', () => {
    const stored = [prior('a', 0), prior('b', 1), prior('m', 2, 'metadata_filter'), prior('f', 2.5, 'fan_out')];
    expect(velocityDecision(plain, { id: 'n', occurred_at: at(3) }, stored).outcome).toBe('kept');
  });

  it('ignores later events, and the event itself when the caller passes it back', () => {
    const stored = [prior('a', 0), prior('b', 1), prior('future1', 60), prior('future2', 61), prior('n', 2)];
    expect(velocityDecision(plain, { id: 'n', occurred_at: at(2) }, stored).outcome).toBe('kept');
  });

  it('recovers once the window has slid past the burst', () => {
    expect(replay(plain, [0, 1, 2, 3, 301, 302])).toEqual({
      e1: 'kept',
      e2: 'kept',
      e3: 'kept',
      e4: 'inorganic',
      e5: 'kept',
      e6: 'kept',
    });
  });

  it('suppresses everything with a threshold of 0', () => {
    expect(replay({ ...plain, count_threshold: 0 }, [0])).toEqual({ e1: 'inorganic' });
  });
});

describe('velocityDecision with group_events (VF-3, VF-6)', () => {
  it('keeps the first of a burst and regroups the rest once the threshold is exceeded', () => {
    expect(replay(grouped, [0, 10, 20, 30, 40])).toEqual({
      e1: 'kept',
      e2: 'inorganic_grouped',
      e3: 'inorganic_grouped',
      e4: 'inorganic_grouped',
      e5: 'inorganic_grouped',
    });
  });

  it('names the already-kept later members for the caller to withdraw, never the first', () => {
    const decision = velocityDecision(grouped, { id: 'n', occurred_at: at(30) }, [prior('b', 10), prior('a', 0), prior('c', 20)]);
    expect(decision.outcome).toBe('inorganic_grouped');
    expect(decision.regroup.sort()).toEqual(['b', 'c']);
  });

  it('does not regroup events already suppressed or outside the window', () => {
    const stored = [prior('old', -400), prior('a', 0), prior('b', 1, 'inorganic'), prior('c', 2), prior('m', 2.5, 'metadata_filter')];
    expect(velocityDecision(grouped, { id: 'n', occurred_at: at(3) }, stored)).toEqual<VelocityDecision>({
      outcome: 'inorganic_grouped',
      regroup: ['c'],
    });
  });

  it('keeps nothing back below the threshold', () => {
    expect(velocityDecision(grouped, { id: 'n', occurred_at: at(20) }, [prior('a', 0), prior('b', 10)])).toEqual<VelocityDecision>({
      outcome: 'kept',
      regroup: [],
    });
  });

  it('treats a stored event at the same instant as earlier than the new one', () => {
    const decision = velocityDecision({ ...grouped, count_threshold: 1 }, { id: 'a-new', occurred_at: at(0) }, [prior('z-old', 0)]);
    expect(decision).toEqual<VelocityDecision>({ outcome: 'inorganic_grouped', regroup: [] });
  });

  it('keeps the very first event even with a threshold of 0, and groups the rest', () => {
    expect(replay({ ...grouped, count_threshold: 0 }, [0, 1, 2])).toEqual({
      e1: 'kept',
      e2: 'inorganic_grouped',
      e3: 'inorganic_grouped',
    });
  });

  it('starts a new burst with a new first after the window has passed', () => {
    expect(replay(grouped, [0, 1, 2, 3, 400, 401, 402, 403])).toEqual({
      e1: 'kept',
      e2: 'inorganic_grouped',
      e3: 'inorganic_grouped',
      e4: 'inorganic_grouped',
      e5: 'kept',
      e6: 'inorganic_grouped',
      e7: 'inorganic_grouped',
      e8: 'inorganic_grouped',
    });
  });

  it('differs from the ungrouped filter exactly in the burst members below the threshold', () => {
    const seconds = [0, 10, 20, 30];
    expect(replay(plain, seconds)).toEqual({ e1: 'kept', e2: 'kept', e3: 'kept', e4: 'inorganic' });
    expect(replay(grouped, seconds)).toEqual({ e1: 'kept', e2: 'inorganic_grouped', e3: 'inorganic_grouped', e4: 'inorganic_grouped' });
  });
});

describe('applyVelocityFilters', () => {
  const burst = [prior('a', 0), prior('b', 1), prior('c', 2)];
  const event = { id: 'n', event_type: 'page-view', occurred_at: at(3) };

  it('applies only filters of the event type, by canonical key', () => {
    expect(applyVelocityFilters([{ ...plain, event_type: 'Email Open' }], event, burst).outcome).toBe('kept');
    expect(applyVelocityFilters([plain], event, burst).outcome).toBe('inorganic');
  });

  it('lets the first suppressing filter decide', () => {
    const lenient = { ...plain, count_threshold: 10 };
    expect(applyVelocityFilters([lenient, grouped, plain], event, burst)).toEqual<VelocityDecision>({
      outcome: 'inorganic_grouped',
      regroup: ['b', 'c'],
    });
    expect(applyVelocityFilters([lenient, plain, grouped], event, burst)).toEqual<VelocityDecision>({
      outcome: 'inorganic',
      regroup: [],
    });
  });

  it('keeps when no filter applies', () => {
    expect(applyVelocityFilters([], event, burst)).toEqual<VelocityDecision>({ outcome: 'kept', regroup: [] });
  });
});
