import { SeenEvent } from './sequence';

/**
 * Pattern / frequency detection (PAT-T1, suggested default): fires when, for one lead, every condition's
 * `min_count` events of its type lie within `window_seconds` ending at the current event. The events counted by a
 * firing are consumed, so the next firing needs a fresh set (no re-fire on every further event).
 */
export interface PatternRule {
  conditions: { event_type_key: string; min_count: number }[];
  windowMs: number;
}

export function matchPattern(rule: PatternRule, recent: SeenEvent[], latest: SeenEvent): SeenEvent[] | null {
  if (!rule.conditions.some((c) => c.event_type_key === latest.event_type_key)) return null;
  const from = latest.at.getTime() - rule.windowMs;
  const pool = [...recent.filter((e) => e.event_id !== latest.event_id), latest].filter((e) => e.at.getTime() >= from && e.at.getTime() <= latest.at.getTime());
  const used: SeenEvent[] = [];
  for (const c of rule.conditions) {
    // the latest event first, then the newest others
    const of = pool
      .filter((e) => e.event_type_key === c.event_type_key)
      .sort((a, b) => (a === latest ? -1 : b === latest ? 1 : b.at.getTime() - a.at.getTime()));
    if (of.length < c.min_count) return null;
    used.push(...of.slice(0, c.min_count));
  }
  return used;
}

/** Every firing over one lead's events (simulate / unit tests), consuming what each firing counted. */
export function detectPatterns(rule: PatternRule, events: SeenEvent[]): SeenEvent[][] {
  const fired: SeenEvent[][] = [];
  let pool: SeenEvent[] = [];
  for (const e of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (!rule.conditions.some((c) => c.event_type_key === e.event_type_key)) continue;
    const match = matchPattern(rule, pool, e);
    if (match) {
      fired.push(match);
      const used = new Set(match.map((x) => x.event_id));
      pool = pool.filter((x) => !used.has(x.event_id));
    } else pool.push(e);
    pool = pool.filter((x) => x.at.getTime() >= e.at.getTime() - rule.windowMs);
  }
  return fired;
}
