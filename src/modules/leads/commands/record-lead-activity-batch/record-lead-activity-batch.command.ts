import { Command } from '@nestjs/cqrs';
import { Alias } from '../../domain/lead-events';

/** One accepted event of a lead, as ingestion hands it over (ING-7). */
export interface LeadActivity {
  /** Server event id: UUIDv7 at acceptance, or derived from the client event id (stable across resends). */
  event_id: string;
  client_event_id: string | null;
  org_id: string;
  unit_id: string;
  actor: string | null;
  lead_id: string | null;
  aliases: Alias[];
  event_type: string;
  occurred_at: string;
  received_at: string;
  metadata: Record<string, unknown>;
  source: 'api' | 'import';
  skip_triggers: boolean;
}

export interface LeadActivityOutcome {
  recorded: number;
  suppressed: number;
  duplicates: number;
  leadsCreated: number;
  /** Events of a lead deleted meanwhile (LEAD-18): accepted before the deletion, never recorded. */
  dropped?: number;
}

/**
 * Records many leads' activity of one OU at once, in one transaction: the ingest hot path's command. One batch
 * (not one command per event) so that the whole batch costs the same few queries and one append.
 */
export class RecordLeadActivityBatchCommand extends Command<LeadActivityOutcome> {
  constructor(
    /** Events of one OU, in acceptance order. */
    readonly activities: readonly LeadActivity[],
    readonly correlationId: string,
  ) {
    super();
  }
}
