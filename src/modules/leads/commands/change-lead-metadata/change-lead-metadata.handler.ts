import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { LeadMetadataChangedPayload } from '../../domain/lead-events';
import { Lead } from '../../domain/lead.aggregate';
import { changeLiveLeads } from '../../lead-lock';
import { checkMetadataSize } from '../../lead-metadata-limit';
import { LeadRecord, leadRecordByRef } from '../../lead-record';
import { LeadErrors } from '../../leads.errors';
import { ChangeLeadMetadataCommand, MetadataChange } from './change-lead-metadata.command';

/** The event a change raises on the lead; 413 when the metadata it leaves would be too large. */
export function decideMetadataChange(lead: Lead, change: MetadataChange): LeadMetadataChangedPayload {
  const next = change.replace ? { ...change.set } : { ...lead.metadata, ...change.set };
  for (const k of change.removed) delete next[k];
  checkMetadataSize(next);
  const payload: LeadMetadataChangedPayload = { set: change.set, removed: change.removed, replace: change.replace, silent: change.silent };
  if (change.account_id !== undefined) payload.account_id = change.account_id;
  if (change.cause !== undefined) payload.cause = change.cause;
  return payload;
}

@CommandHandler(ChangeLeadMetadataCommand)
export class ChangeLeadMetadataHandler implements ICommandHandler<ChangeLeadMetadataCommand, LeadRecord> {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ leadRef, change }: ChangeLeadMetadataCommand): Promise<LeadRecord> {
    const at = this.clock.now();
    await changeLiveLeads(this.repo, [leadRef], RequestContext.eventMetadata(), (leads) => {
      const lead = leads.get(leadRef);
      // deleted since the caller found it
      if (!lead) throw LeadErrors.notFound('lead_not_found', 'lead');
      lead.changeMetadata(decideMetadataChange(lead, change), at);
    });
    return leadRecordByRef(this.ds, leadRef);
  }
}
