import { FireMode } from './trigger-events';

/**
 * Sequence detection (SEQ-3), one pure step per matching event, shared by the live detection and simulate.
 * On each event of a listed type, the lead's unconsumed matching events in `[t − window, t]` (this one included)
 * are searched for the steps: `ordered` = the steps appear in the listed order by time (a subsequence), otherwise
 * each listed type once in any order. The event completing the sequence fires it; under `always` the events used
 * are consumed (a later firing needs a fresh set), under `once` it fires at most once per lead.
 */
export interface SequenceRule {
  stepKeys: string[];
  ordered: boolean;
  windowMs: number;
  fireMode: FireMode;
}

export interface SeenEvent {
  event_id: string;
  event_type_key: string;
  at: Date;
}

const byTime = (a: SeenEvent, b: SeenEvent) => a.at.getTime() - b.at.getTime() || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

/** The events (one per step, in step order) completing the sequence with `latest` as one of them, or null. */
export function matchSequence(rule: SequenceRule, recent: SeenEvent[], latest: SeenEvent): SeenEvent[] | null {
  if (!rule.stepKeys.includes(latest.event_type_key)) return null;
  const from = latest.at.getTime() - rule.windowMs;
  const pool = [...recent.filter((e) => e.event_id !== latest.event_id), latest]
    .filter((e) => e.at.getTime() >= from && e.at.getTime() <= latest.at.getTime() && rule.stepKeys.includes(e.event_type_key))
    .sort(byTime);
  if (rule.ordered) {
    // the latest event must be the last step: match the earlier steps greedily, earliest first
    if (rule.stepKeys[rule.stepKeys.length - 1] !== latest.event_type_key) return null;
    const used: SeenEvent[] = [];
    let i = 0;
    for (const e of pool) {
      if (e.event_id === latest.event_id) break;
      if (i < rule.stepKeys.length - 1 && e.event_type_key === rule.stepKeys[i]) {
        used.push(e);
        i++;
      }
    }
    return i === rule.stepKeys.length - 1 ? [...used, latest] : null;
  }
  const used: SeenEvent[] = [];
  const taken = new Set<string>([latest.event_id]);
  for (const key of rule.stepKeys) {
    if (key === latest.event_type_key && !used.some((u) => u.event_id === latest.event_id)) {
      used.push(latest);
      continue;
    }
    const e = pool.find((x) => x.event_type_key === key && !taken.has(x.event_id));
    if (!e) return null;
    taken.add(e.event_id);
    used.push(e);
  }
  return used;
}

export interface SequenceLeadState {
  firedCount: number;
}

/**
 * Whether an event that did not complete the sequence can still be a step of a later match, and so is worth keeping
 * in the lead's pool: in an ordered sequence an event whose type is only the last step can only ever complete one.
 */
export function poolsEvent(rule: Pick<SequenceRule, 'stepKeys' | 'ordered'>, typeKey: string): boolean {
  return !rule.ordered || rule.stepKeys.indexOf(typeKey) < rule.stepKeys.length - 1;
}

/** One event: whether it completes the sequence, given the lead's unconsumed recent events and firings so far. */
export function sequenceStep(rule: SequenceRule, state: SequenceLeadState, recent: SeenEvent[], latest: SeenEvent): SeenEvent[] | null {
  if (rule.fireMode === 'once' && state.firedCount > 0) return null;
  return matchSequence(rule, recent, latest);
}

/** Every firing over one lead's events (simulate); consumed events leave the pool as the live path deletes them. */
export function detectSequences(rule: SequenceRule, events: SeenEvent[]): SeenEvent[][] {
  const fired: SeenEvent[][] = [];
  let pool: SeenEvent[] = [];
  const state = { firedCount: 0 };
  for (const e of [...events].sort(byTime)) {
    if (!rule.stepKeys.includes(e.event_type_key)) continue;
    const match = sequenceStep(rule, state, pool, e);
    if (match) {
      fired.push(match);
      state.firedCount++;
      const used = new Set(match.map((x) => x.event_id));
      pool = pool.filter((x) => !used.has(x.event_id));
    } else if (poolsEvent(rule, e.event_type_key)) pool.push(e);
    pool = pool.filter((x) => x.at.getTime() >= e.at.getTime() - rule.windowMs);
  }
  return fired;
}
