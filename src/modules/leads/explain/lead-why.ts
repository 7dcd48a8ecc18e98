import { attributeRuleName, attributeValueText, ENGAGEMENT, eventTypeDisplayName, MatchedRule, roundScore } from '../../scoring/domain';
import { DisqualificationDto, LeadWhyDto, WhyFactorDto } from './lead-explain.dto';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const absFirst = (a: number, b: number) => Math.abs(b) - Math.abs(a);

/** An aggregated engagement factor row of one lead (one event type in one ruleset). */
export interface FactorRow {
  lead_ref: string;
  event_type_key: string;
  event_type: string;
  ruleset_id: string;
  points: number;
  n: number;
  n7: number;
  last_at: Date;
  max_weight: number;
}

/** Human age: "5 minutes", "3 hours", "2 days". */
export function ageText(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms < HOUR) return plural(Math.max(1, Math.floor(ms / 60_000)), 'minute');
  if (ms < DAY) return plural(Math.floor(ms / HOUR), 'hour');
  return plural(Math.floor(ms / DAY), 'day');
}

/**
 * EXP-5/7: ranked engagement factors and the "Why" line. Suggested-default templates used here: `Hot intent:
 * {event} {n} times this week` (a positively scoring type seen ≥ 3 times in 7 days, the most frequent) and
 * `Recent: {event} {age} ago` (the latest event of the highest-weight positively scoring type). The profile,
 * account and surge templates need features that do not exist yet; with no phrase the line says so plainly.
 */
const TEXT_CONDITIONS: ReadonlySet<string> = new Set(['equals', 'contains', 'starts_with', 'ends_with', 'in']);

/** EXP-5/7: the one phrase of a disqualified lead (never a stale engagement summary). */
export function disqualificationPhrase(dq: Pick<DisqualificationDto, 'dimension' | 'rule_name'>): string {
  return `Disqualified: ${dq.dimension} rule "${dq.rule_name}" matched.`;
}

/**
 * EXP-5/7 with fit: a disqualified lead short-circuits to its disqualification phrase (no factors); otherwise the
 * matching profile rules join the engagement factors, and `Strong fit: …` (the values of the heaviest matching
 * profile rules) leads the line.
 */
export function whyWithFit(
  leadId: string,
  rows: readonly FactorRow[],
  profile: readonly MatchedRule[],
  attributes: Record<string, unknown> | null,
  dq: DisqualificationDto | null,
  now: Date,
): LeadWhyDto {
  if (dq) return { lead_id: leadId, summary: disqualificationPhrase(dq), factors: [], disqualified: true, disqualification: dq };
  const base = whyOf(leadId, rows, now);
  if (!profile.length) return base;
  const fit: WhyFactorDto[] = profile.map((p) => ({
    kind: 'profile',
    event_type: null,
    label: attributeRuleName(p),
    points: p.weight,
    count: 1,
    count_7d: 0,
    last_at: null,
    rule_id: p.rule_id,
    property: p.property,
  }));
  const factors = [...base.factors, ...fit].sort((a, b) => absFirst(a.points, b.points) || a.label.localeCompare(b.label));
  // the lead's own values of its heaviest matching text rules (numeric ranges and emptiness make poor phrases)
  const strong = profile
    .filter((p) => p.weight > 0 && TEXT_CONDITIONS.has(p.condition))
    .sort((a, b) => b.weight - a.weight || a.rule_id.localeCompare(b.rule_id))
    .slice(0, 2)
    .map((p) => attributeValueText(p, attributes))
    .filter((v): v is string => !!v);
  const phrases = base.summary === 'No scoring activity yet.' ? [] : base.summary.replace(/\.$/, '').split('. ');
  if (strong.length) phrases.unshift(`Strong fit: ${strong.join(', ')}`);
  return { ...base, factors, summary: phrases.length ? `${phrases.slice(0, 3).join('. ')}.` : base.summary };
}

export function whyOf(leadId: string, rows: readonly FactorRow[], now: Date): LeadWhyDto {
  // per event type: the ruleset in which it weighs most
  const byType = new Map<string, FactorRow>();
  for (const r of rows) {
    const cur = byType.get(r.event_type_key);
    if (!cur || Math.abs(r.points) > Math.abs(cur.points) || (Math.abs(r.points) === Math.abs(cur.points) && r.ruleset_id < cur.ruleset_id))
      byType.set(r.event_type_key, r);
  }
  const best = [...byType.values()];
  const factors: WhyFactorDto[] = best
    .map((r) => ({
      kind: ENGAGEMENT,
      event_type: eventTypeDisplayName(r.event_type),
      label: `${eventTypeDisplayName(r.event_type)} ×${r.n}`,
      points: roundScore(r.points),
      count: r.n,
      count_7d: r.n7,
      last_at: r.last_at.toISOString(),
    }))
    .sort((a, b) => absFirst(a.points, b.points) || b.count - a.count || a.event_type.localeCompare(b.event_type));
  const phrases: string[] = [];
  const positive = best.filter((r) => r.max_weight > 0);
  const hot = positive.filter((r) => r.n7 >= 3).sort((a, b) => b.n7 - a.n7 || b.points - a.points || a.event_type_key.localeCompare(b.event_type_key))[0];
  if (hot) phrases.push(`Hot intent: ${eventTypeDisplayName(hot.event_type).toLowerCase()} ${hot.n7} times this week`);
  const recent = [...positive].sort(
    (a, b) => b.max_weight - a.max_weight || b.last_at.getTime() - a.last_at.getTime() || a.event_type_key.localeCompare(b.event_type_key),
  )[0];
  if (recent)
    phrases.push(`Recent: ${eventTypeDisplayName(recent.event_type).toLowerCase()} ${ageText(Math.max(0, now.getTime() - recent.last_at.getTime()))} ago`);
  const summary = phrases.length ? `${phrases.slice(0, 3).join('. ')}.` : 'No scoring activity yet.';
  return { lead_id: leadId, summary, factors, disqualified: false, disqualification: null };
}
