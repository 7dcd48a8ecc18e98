import { CommitteeMember, CommitteeRole } from './account-events';

/** One qualified lead of the account, as committee inference sees it. */
export interface CommitteeCandidate {
  lead_ref: string;
  lead_id: string;
  title: string | null;
  engagement_score: number;
  activity_count: number;
}

const DECISION_MAKER = /\b(c[a-z]o|chief|founder|co-founder|owner|president|vp|vice president|head of)\b/i;
const INFLUENCER = /\b(director|manager|lead|principal|architect)\b/i;

/**
 * BC-3 (suggested default rules): committee membership = qualified leads with at least one activity; roles from the
 * title (case-insensitive, first match wins): decision_maker ← C-level/chief/founder/owner/president/VP/head of;
 * influencer ← director/manager/lead/principal/architect; champion ← the non-decision-maker with the highest
 * engagement score when it reaches `hotThreshold` (null: the top quartile of the candidates' scores); kol is never
 * inferred; else other.
 */
export function inferCommittee(candidates: CommitteeCandidate[], hotThreshold: number | null): CommitteeMember[] {
  const members = candidates.filter((c) => c.activity_count >= 1);
  const role = new Map<string, CommitteeRole>();
  for (const c of members) {
    const t = c.title ?? '';
    role.set(c.lead_ref, DECISION_MAKER.test(t) ? 'decision_maker' : INFLUENCER.test(t) ? 'influencer' : 'other');
  }
  const threshold = hotThreshold ?? topQuartile(members.map((c) => c.engagement_score));
  const champion = members
    .filter((c) => role.get(c.lead_ref) !== 'decision_maker')
    .sort((a, b) => b.engagement_score - a.engagement_score || a.lead_ref.localeCompare(b.lead_ref))[0];
  if (champion && champion.engagement_score > 0 && champion.engagement_score >= threshold) role.set(champion.lead_ref, 'champion');
  return members.map((c) => ({ lead_ref: c.lead_ref, lead_id: c.lead_id, role: role.get(c.lead_ref)!, notes: null, is_manual: false }));
}

function topQuartile(scores: number[]): number {
  if (!scores.length) return Infinity;
  const sorted = [...scores].sort((a, b) => a - b);
  return sorted[Math.floor(0.75 * (sorted.length - 1))];
}
