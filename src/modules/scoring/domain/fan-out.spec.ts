import { FAN_OUT_WINDOW_MS, collapseFanOut, fanOutRepresentative } from './fan-out';
import { PriorEvent } from './timed-event';

const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const ev = (id: string, offsetMs: number) => ({ id, occurred_at: new Date(T0 + offsetMs) });
const prior = (id: string, offsetMs: number, suppression: PriorEvent['suppression'] = null): PriorEvent => ({
  ...ev(id, offsetMs),
  suppression,
});

describe('collapseFanOut (VF-4, VF-6)', () => {
  it('is a 2 s window', () => {
    expect(FAN_OUT_WINDOW_MS).toBe(2000);
  });

  it('keeps the earliest event of a micro-burst, inclusive at exactly 2 s', () => {
    const result = collapseFanOut([ev('a', 0), ev('b', 300), ev('c', 2000), ev('d', 2001)]);
    expect(Object.fromEntries(result)).toEqual({ a: 'a', b: 'a', c: 'a', d: 'd' });
  });

  it('measures from the representative, not chained from event to event', () => {
    const result = collapseFanOut([ev('a', 0), ev('b', 1500), ev('c', 3000), ev('d', 4500), ev('e', 5000), ev('f', 5001)]);
    expect(Object.fromEntries(result)).toEqual({ a: 'a', b: 'a', c: 'c', d: 'c', e: 'c', f: 'f' });
  });

  it('does not depend on input order and breaks equal instants by id', () => {
    const result = collapseFanOut([ev('z', 500), ev('m', 0), ev('b', 0)]);
    expect(Object.fromEntries(result)).toEqual({ b: 'b', m: 'b', z: 'b' });
  });

  it('handles empty input', () => {
    expect(collapseFanOut([]).size).toBe(0);
  });
});

describe('fanOutRepresentative (live)', () => {
  it('returns null with no representative within 2 s', () => {
    expect(fanOutRepresentative(ev('new', 5000), [prior('a', 0), prior('b', 2999)])).toBeNull();
    expect(fanOutRepresentative(ev('new', 5000), [])).toBeNull();
  });

  it('joins the earliest stored representative within 2 s, boundary inclusive', () => {
    expect(fanOutRepresentative(ev('new', 2000), [prior('a', 0)])).toBe('a');
    expect(fanOutRepresentative(ev('new', 2001), [prior('a', 0)])).toBeNull();
    expect(fanOutRepresentative(ev('new', 1500), [prior('b', 1000), prior('a', 200)])).toBe('a');
  });

  it('ignores fan-out duplicates and metadata-filtered events as representatives', () => {
    expect(fanOutRepresentative(ev('new', 2500), [prior('a', 0), prior('dup', 1000, 'fan_out')])).toBeNull();
    expect(fanOutRepresentative(ev('new', 500), [prior('m', 0, 'metadata_filter')])).toBeNull();
  });

  it('still joins a representative that velocity suppressed', () => {
    expect(fanOutRepresentative(ev('new', 500), [prior('v', 0, 'inorganic')])).toBe('v');
  });

  it('lets a late event just before a stored representative join it instead of displacing it', () => {
    expect(fanOutRepresentative(ev('late', 0), [prior('a', 1500)])).toBe('a');
    expect(fanOutRepresentative(ev('late', 0), [prior('a', 2001)])).toBeNull();
  });

  it('never matches the event against itself', () => {
    expect(fanOutRepresentative(ev('same', 0), [prior('same', 0)])).toBeNull();
  });

  it('agrees with the batch form for events arriving in time order', () => {
    const stream = [ev('a', 0), ev('b', 900), ev('c', 2000), ev('d', 2100), ev('e', 3900), ev('f', 4200)];
    const batch = collapseFanOut(stream);
    const stored: PriorEvent[] = [];
    for (const event of stream) {
      const representative = fanOutRepresentative(event, stored);
      expect(representative ?? event.id).toBe(batch.get(event.id));
      stored.push({ ...event, suppression: representative ? 'fan_out' : null });
    }
  });
});
