import { isoOrNull } from '../../../platform/http';
import { roundScore } from '../../scoring/domain';
import { LeadListItemDto, LeadSearchItemDto } from '../http/lead-reads.dto';
import { UnitRulesets } from './unit-rulesets';

/** A lead as the list, export and search queries read it (ITEM_COLUMNS and extras). */
export interface LeadListRow {
  id: string;
  org_id: string;
  unit_id: string;
  lead_id: string;
  score: number;
  engagement_level: string | null;
  account_id: string | null;
  /** the internal id of the account the lead is grouped into (ABM) */
  account_ref?: string | null;
  /** ACCOUNT_EXTRA: that account's public id */
  grouped_account_id?: string | null;
  owner_id: string | null;
  owner_name: string | null;
  last_event_at: Date | null;
  last_event_type: string | null;
  event_count: number;
  created_at: Date;
  updated_at: Date;
  scores: Record<string, number> | null;
  alias: string | null;
  profile_score: number;
  profile_level: string | null;
  disqualified: boolean;
  disqualified_at: Date | null;
  disqualification: DisqualificationRecord | null;
  /** the sort key as text (export keyset) */
  k?: string;
}

/** `leads.disqualification` (migration 1764000000055). */
export interface DisqualificationRecord {
  rule_id: string;
  ruleset_id: string;
  dimension: string;
  rule_name: string;
  reason: string;
}

export interface ExportRow {
  lead_id: string;
  alias: string;
  engagement_score: number;
  profile_score: number;
  engagement_level: string;
  profile_level: string;
  account: string;
  owner: string;
  last_activity: string;
  created_at: string;
}

export function toLeadListItemView(r: LeadListRow, rs: UnitRulesets): LeadListItemDto {
  const engagement: Record<string, number> = {};
  const names: Record<string, string> = {};
  for (const [id, score] of Object.entries(r.scores ?? {})) {
    const name = rs.names.get(id);
    if (name === undefined) continue; // a deleted ruleset's score is kept but no longer shown
    engagement[id] = roundScore(Number(score));
    names[id] = name;
  }
  if (rs.primary) names[rs.primary.id] = rs.primary.name;
  return {
    org_id: r.org_id,
    unit_id: r.unit_id,
    lead_id: r.lead_id,
    alias: r.alias,
    score: roundScore(Number(r.score)),
    ruleset_id: rs.primary?.id ?? null,
    engagement_scores: engagement,
    profile_scores: rs.profilePrimary ? { [rs.profilePrimary.id]: roundScore(Number(r.profile_score)) } : {},
    ruleset_names: rs.profilePrimary ? { ...names, [rs.profilePrimary.id]: rs.profilePrimary.name } : names,
    engagement_primary_ruleset_name: rs.primary?.name ?? null,
    profile_primary_ruleset_name: rs.profilePrimary?.name ?? null,
    engagement_level: r.engagement_level,
    profile_score: roundScore(Number(r.profile_score)),
    profile_level: r.profile_level,
    below_floor: rs.profilePrimary?.floor != null && Number(r.profile_score) < rs.profilePrimary.floor,
    disqualified: r.disqualified,
    disqualified_at: isoOrNull(r.disqualified_at),
    disqualification: r.disqualification,
    account_id: r.grouped_account_id ?? r.account_id,
    owner_id: r.owner_id,
    owner_name: r.owner_name,
    last_event_at: isoOrNull(r.last_event_at),
    last_event_type: r.last_event_type,
    event_count: r.event_count,
    created_at: isoOrNull(r.created_at)!,
    updated_at: isoOrNull(r.updated_at)!,
  };
}

export function toExportRow(r: LeadListRow): ExportRow {
  return {
    lead_id: r.lead_id,
    alias: r.alias ?? '',
    engagement_score: roundScore(Number(r.score)),
    profile_score: roundScore(Number(r.profile_score)),
    engagement_level: r.engagement_level ?? '',
    profile_level: r.profile_level ?? '',
    account: r.grouped_account_id ?? r.account_id ?? '',
    owner: r.owner_name ?? r.owner_id ?? '',
    last_activity: isoOrNull(r.last_event_at) ?? '',
    created_at: isoOrNull(r.created_at)!,
  };
}

export function toLeadSearchItemView(r: LeadListRow & { matched: string | null }): LeadSearchItemDto {
  return {
    lead_id: r.lead_id,
    alias: r.alias,
    matched_alias: r.matched,
    score: roundScore(Number(r.score)),
    last_event_at: isoOrNull(r.last_event_at),
    created_at: isoOrNull(r.created_at)!,
  };
}
