import { LeadErrors } from '../../leads.errors';
import { Lead } from '../../domain/lead.aggregate';

/** A lead as the merge finds it in the identity read model. */
export interface MergeLeadRow {
  id: string;
  lead_id: string;
  status: string;
  score_reset_at: Date | null;
}

/** 400 when the target is also a source. */
export function refuseTargetAmongSources(targetLeadId: string, sourceIds: readonly string[]): void {
  if (sourceIds.includes(targetLeadId)) {
    throw LeadErrors.error('target_in_sources', 'the target lead cannot also be a source', [
      { field: 'sourceLeadIds', reason: 'must not contain targetLeadId' },
    ]);
  }
}

/**
 * The target and sources among the rows found in the active OU; 404 for any not found (MRG-3 with G-6: a lead of
 * another OU is simply not found here, so a cross-OU merge is refused without revealing it).
 */
export function findMergeParties(rows: MergeLeadRow[], targetLeadId: string, sourceIds: readonly string[]): { target: MergeLeadRow; sources: MergeLeadRow[] } {
  const byId = new Map(rows.map((r) => [r.lead_id, r]));
  const target = byId.get(targetLeadId);
  if (!target || target.status !== 'active') {
    throw LeadErrors.error('lead_not_found', `target lead ${targetLeadId} not found in the active OU`, [
      { field: 'targetLeadId', lead_id: targetLeadId, reason: 'not found' },
    ]);
  }
  const missing = sourceIds.filter((id) => !byId.has(id));
  if (missing.length) {
    throw LeadErrors.error(
      'lead_not_found',
      `source lead(s) ${missing.join(', ')} not found in the active OU`,
      missing.map((id) => ({ field: 'sourceLeadIds', lead_id: id, reason: 'not found' })),
    );
  }
  return { target, sources: sourceIds.map((id) => byId.get(id)!) };
}

/**
 * From the leads' streams: `retry` when this very merge is recorded already (answer what it recorded), else
 * refuse a target merged away (404) or a source already merged (400).
 */
export function checkMergeable(mergeId: string, target: MergeLeadRow, targetLead: Lead, sources: MergeLeadRow[], sourceLeads: Lead[]): 'retry' | 'merge' {
  if (sourceLeads.every((l) => l.mergedBy === mergeId)) return 'retry';
  if (targetLead.mergedInto) throw LeadErrors.error('lead_not_found', `target lead ${target.lead_id} not found in the active OU`);
  const merged = sources.filter((_, i) => sourceLeads[i].mergedInto !== null);
  if (merged.length) {
    throw LeadErrors.error(
      'source_already_merged',
      `lead(s) ${merged.map((s) => s.lead_id).join(', ')} were already merged`,
      merged.map((s) => ({ field: 'sourceLeadIds', lead_id: s.lead_id, reason: 'already merged' })),
    );
  }
  return 'merge';
}
