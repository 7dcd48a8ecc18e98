import { Rule, Ruleset } from './ruleset';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** Midnight UTC of a calendar date; a full ISO timestamp is reduced to its date part. */
function utcDayStart(date: string | Date): number {
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) throw new RangeError('invalid ruleset date');
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  }
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`ruleset date must be YYYY-MM-DD, got "${date}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2025-02-30 over to March; a date that does not round-trip is a typo, not a wish.
  const check = new Date(start);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`ruleset date does not exist: "${date}"`);
  }
  return start;
}

const DAY_MS = 86_400_000;

/** RS-3 suggested default: active, and the event timestamp in [start_date 00:00, end_date 23:59:59.999] UTC. */
export function rulesetCovers(ruleset: Ruleset, at: Date): boolean {
  if (!ruleset.active) return false;
  const t = at.getTime();
  if (ruleset.start_date && t < utcDayStart(ruleset.start_date)) return false;
  if (ruleset.end_date && t >= utcDayStart(ruleset.end_date) + DAY_MS) return false;
  return true;
}

/**
 * RULE-3 suggested default: start inclusive, end exclusive, so back-to-back rule periods sharing a boundary
 * instant never both award points.
 */
export function ruleCovers(rule: Rule, at: Date): boolean {
  const t = at.getTime();
  if (rule.start_at && t < rule.start_at.getTime()) return false;
  if (rule.end_at && t >= rule.end_at.getTime()) return false;
  return true;
}
