import { detectPatterns } from './pattern';
import { detectSequences, poolsEvent, SeenEvent } from './sequence';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const e = (id: string, type: string, s: number): SeenEvent => ({ event_id: id, event_type_key: type, at: new Date(T0 + s * 1000) });
const ids = (fired: SeenEvent[][]) => fired.map((f) => f.map((x) => x.event_id).join(','));

describe('sequence detection', () => {
  const rule = { stepKeys: ['pricing', 'paper', 'demo'], ordered: true, windowMs: 100_000, fireMode: 'always' as const };

  it('ordered: fires on the event completing the steps in order within the window', () => {
    expect(ids(detectSequences(rule, [e('1', 'pricing', 0), e('2', 'paper', 10), e('3', 'demo', 20)]))).toEqual(['1,2,3']);
    expect(detectSequences(rule, [e('1', 'paper', 0), e('2', 'pricing', 10), e('3', 'demo', 20)])).toEqual([]);
  });

  it('unordered: any order counts', () => {
    expect(ids(detectSequences({ ...rule, ordered: false }, [e('1', 'demo', 0), e('2', 'paper', 10), e('3', 'pricing', 20)]))).toEqual(['3,2,1']);
  });

  it('keeps for later only events that can still be a step: in an ordered sequence not those of the last step alone', () => {
    expect(poolsEvent(rule, 'pricing')).toBe(true);
    expect(poolsEvent(rule, 'paper')).toBe(true);
    expect(poolsEvent(rule, 'demo')).toBe(false);
    expect(poolsEvent({ ...rule, stepKeys: ['demo', 'paper', 'demo'] }, 'demo')).toBe(true);
    expect(poolsEvent({ ...rule, ordered: false }, 'demo')).toBe(true);
    // a demo before the others never completes a later match: the one after them does
    expect(ids(detectSequences(rule, [e('0', 'demo', 0), e('1', 'pricing', 1), e('2', 'paper', 2), e('3', 'demo', 3)]))).toEqual(['1,2,3']);
  });

  it('needs every step inside the window ending at the completing event', () => {
    expect(detectSequences(rule, [e('1', 'pricing', 0), e('2', 'paper', 10), e('3', 'demo', 101)])).toEqual([]);
  });

  it('always: the events used are consumed, a second firing needs a fresh set; once: fires at most once', () => {
    const events = [
      e('1', 'pricing', 0),
      e('2', 'paper', 1),
      e('3', 'demo', 2),
      e('4', 'demo', 3),
      e('5', 'pricing', 4),
      e('6', 'paper', 5),
      e('7', 'demo', 6),
    ];
    expect(ids(detectSequences(rule, events))).toEqual(['1,2,3', '5,6,7']);
    expect(ids(detectSequences({ ...rule, fireMode: 'once' }, events))).toEqual(['1,2,3']);
  });
});

describe('pattern detection', () => {
  const rule = {
    conditions: [
      { event_type_key: 'view', min_count: 3 },
      { event_type_key: 'demo', min_count: 1 },
    ],
    windowMs: 60_000,
  };

  it('fires when every condition is met within the window, consuming the events counted', () => {
    const events = [e('1', 'view', 0), e('2', 'view', 10), e('3', 'demo', 20), e('4', 'view', 30), e('5', 'view', 40)];
    expect(ids(detectPatterns(rule, events))).toEqual(['4,2,1,3']);
    expect(detectPatterns(rule, [e('1', 'view', 0), e('2', 'view', 10), e('3', 'view', 70), e('4', 'demo', 75)])).toEqual([]);
  });
});
