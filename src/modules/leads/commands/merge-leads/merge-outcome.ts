import { EntityManager } from 'typeorm';
import { LeadEvent, LeadEventsAdoptedPayload } from '../../domain/lead-events';
import { leadHistory } from '../../domain/lead-history';
import { LeadErrors } from '../../leads.errors';
import type { MergeResultDto } from '../../merge/lead-merge.dto';
import { MergeLeadRow } from './merge-decisions';

/** The event types that shape a lead's history (the merge folds them with `leadHistory`). */
export const HISTORY_EVENT_TYPES = [
  LeadEvent.EventRecorded,
  LeadEvent.EventsAdopted,
  LeadEvent.EventRegrouped,
  LeadEvent.Rescored,
  LeadEvent.EventsDeleted,
  LeadEvent.MergedInto,
];

export function mergeOutcome(p: LeadEventsAdoptedPayload, target: MergeLeadRow, eventCount: number): MergeResultDto {
  return {
    target: { lead_id: target.lead_id, event_count: eventCount, aliases_added: p.aliases.length },
    mergedSources: p.source_lead_ids,
    movedEvents: p.events.length,
    truncatedEvents: p.truncated_events,
    rescore: {
      rescored_events: p.events.length,
      reset_excluded_events: p.events.filter((e) => e.reset_excluded).length,
      previous_scores: p.previous_scores,
      scores: p.scores,
    },
    merge_id: p.merge_id,
  };
}

/** The outcome of a merge already recorded (idempotent retry): read back from its adoption event. */
export async function recordedMerge(mergeId: string, target: MergeLeadRow, m: EntityManager): Promise<MergeResultDto> {
  const [row] = await m.query(`SELECT payload, stream_id FROM event_store_events WHERE event_id = $1`, [mergeId]);
  if (!row || row.stream_id !== target.id) throw LeadErrors.error('source_already_merged', 'the sources were already merged elsewhere');
  const p = row.payload as LeadEventsAdoptedPayload;
  const stored: { event_type: string; payload: unknown }[] = await m.query(
    `SELECT event_type, payload FROM event_store_events WHERE stream_id = $1 AND event_type = ANY($2::text[]) AND global_position < (SELECT global_position FROM event_store_events WHERE event_id = $3) ORDER BY stream_version`,
    [target.id, HISTORY_EVENT_TYPES, mergeId],
  );
  const before = leadHistory(stored.map((s) => ({ type: s.event_type, payload: s.payload }))).size;
  return mergeOutcome(p, target, before + p.events.length);
}
