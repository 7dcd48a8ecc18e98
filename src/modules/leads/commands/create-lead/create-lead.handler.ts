import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Clock } from '../../../../platform/clock';
import { isUniqueViolation, selectOne, sql } from '../../../../platform/database';
import { AggregateRepository, uuidv7 } from '../../../../platform/event-store';
import { RequestContext, unitOnly } from '../../../../platform/tenancy';
import { Lead } from '../../domain/lead.aggregate';
import { checkMetadataSize } from '../../lead-metadata-limit';
import { LeadRecord, leadRecordByRef } from '../../lead-record';
import { LeadErrors } from '../../leads.errors';
import { CreateLeadCommand } from './create-lead.command';

/** 409 `lead_exists`, worded for a lead being deleted (its id comes free once erased) or one that exists. */
export function leadExists(id: string, status?: string) {
  return LeadErrors.error(
    'lead_exists',
    status === 'deleting'
      ? `lead ${id} is being deleted; its id can be used again once the deletion completed`
      : `a lead with id ${id} already exists in the active OU`,
    [{ field: 'id', reason: 'is already used by a lead of the active OU' }],
  );
}

/** A public id already used in the OU (a lead being deleted included) → 409. */
@CommandHandler(CreateLeadCommand)
export class CreateLeadHandler implements ICommandHandler<CreateLeadCommand, LeadRecord> {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ input }: CreateLeadCommand): Promise<LeadRecord> {
    checkMetadataSize(input.metadata);
    const taken = () => selectOne<{ status: string }>(this.ds, sql`SELECT status FROM leads WHERE ${unitOnly()} AND lead_id = ${input.id}`);
    const existing = await taken();
    if (existing) throw leadExists(input.id, existing.status);
    const lead = new Lead(uuidv7());
    lead.create({ lead_id: input.id, metadata: input.metadata, account_id: input.account_id, source: 'api' }, this.clock.now());
    try {
      await this.repo.save(lead, RequestContext.eventMetadata());
    } catch (err) {
      // two creations of one id at once: the unique key on (unit_id, lead_id) lets one through
      if (isUniqueViolation(err)) throw leadExists(input.id, (await taken())?.status);
      throw err;
    }
    return leadRecordByRef(this.ds, lead.id);
  }
}
