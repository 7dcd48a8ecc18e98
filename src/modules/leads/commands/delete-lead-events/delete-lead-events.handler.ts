import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository, StreamAppend } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { LeadEvent, LeadEventsDeletedPayload, SuppressedEventStreamType } from '../../domain/lead-events';
import { changeLiveLeads } from '../../lead-lock';
import { DeleteLeadEventsCommand, EventToDelete } from './delete-lead-events.command';

/** Which lead stream each event is deleted on; suppressed and lead-less events on their own stream. */
export function groupByStream(events: readonly EventToDelete[]): { byLead: Map<string, string[]>; orphans: string[] } {
  const byLead = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const r of events) {
    if (r.lead_ref && r.suppression !== 'metadata_filter') byLead.set(r.lead_ref, [...(byLead.get(r.lead_ref) ?? []), r.event_id]);
    else orphans.push(r.event_id);
  }
  return { byLead, orphans };
}

@CommandHandler(DeleteLeadEventsCommand)
export class DeleteLeadEventsHandler implements ICommandHandler<DeleteLeadEventsCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ events, reason }: DeleteLeadEventsCommand): Promise<void> {
    if (!events.length) return;
    const { byLead, orphans } = groupByStream(events);
    const metadata = RequestContext.eventMetadata();
    const at = this.clock.now();
    // a lead deleted meanwhile (LEAD-18) is left alone: its erasure removes these events too
    await changeLiveLeads(this.repo, [...byLead.keys()], metadata, (leads) => {
      for (const [ref, list] of byLead) leads.get(ref)?.deleteEvents(list, reason, at);
      return orphans.map((id): StreamAppend => ({
        streamId: `suppressed-${id}`,
        streamType: SuppressedEventStreamType,
        expectedVersion: 'any',
        events: [{ type: LeadEvent.EventsDeleted, payload: { event_ids: [id], reason } satisfies LeadEventsDeletedPayload, occurredAt: at }],
        metadata,
      }));
    });
  }
}
