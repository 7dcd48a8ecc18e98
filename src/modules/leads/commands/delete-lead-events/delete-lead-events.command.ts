import { Command } from '@nestjs/cqrs';

/** A stored event to delete: its lead (if any) and whether a metadata filter suppressed it. */
export interface EventToDelete {
  event_id: string;
  lead_ref: string | null;
  /** a metadata-filtered event lives on its own stream even when it names a lead */
  suppression: string | null;
}

/**
 * EVT-3 and event-type deletion: deletes the events, each lead's on its own stream (so that the lead's scores
 * drop their points), suppressed events on theirs; in one transaction, for the active request's tenant.
 */
export class DeleteLeadEventsCommand extends Command<void> {
  constructor(
    readonly events: readonly EventToDelete[],
    readonly reason: string,
  ) {
    super();
  }
}
