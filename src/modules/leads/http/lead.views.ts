import { isoOrNull } from '../../../platform/http';
import { roundScore } from '../../scoring/domain';
import { LeadRecord } from '../lead-record';
import { DeletionRecord } from '../leads.service';
import { LeadDeletionStatusDto, LeadDto } from './leads.dto';

export function toLeadView(l: LeadRecord): LeadDto {
  return {
    id: l.lead_id,
    lead_id: l.lead_id,
    org_id: l.org_id,
    unit_id: l.unit_id,
    account_id: l.account_id,
    owner_id: l.owner_id,
    owner_name: l.owner_name,
    created_at: isoOrNull(l.created_at)!,
    updated_at: isoOrNull(l.updated_at)!,
    merged_into: null,
    metadata: l.metadata ?? {},
    last_event_at: isoOrNull(l.last_event_at),
    last_event_type: l.last_event_type,
    event_count: Number(l.event_count ?? 0),
    profile_score: roundScore(Number(l.profile_score ?? 0)),
    profile_level: l.profile_level ?? null,
    disqualified: l.disqualified ?? false,
    disqualified_at: isoOrNull(l.disqualified_at ?? null),
    disqualification: l.disqualification ?? null,
  };
}

export function toLeadDeletionStatusView(d: DeletionRecord): LeadDeletionStatusDto {
  return { lead_id: d.lead_id, status: d.status, requested_at: isoOrNull(d.requested_at)!, completed_at: isoOrNull(d.completed_at), error: d.error };
}
