import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { changeLiveLeads } from '../../lead-lock';
import { LeadErrors } from '../../leads.errors';
import { AssignLeadOwnerCommand } from './assign-lead-owner.command';

@CommandHandler(AssignLeadOwnerCommand)
export class AssignLeadOwnerHandler implements ICommandHandler<AssignLeadOwnerCommand, number> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ leadRefs, owner }: AssignLeadOwnerCommand): Promise<number> {
    if (!leadRefs.length) return 0;
    const at = this.clock.now();
    let affected = 0;
    await changeLiveLeads(this.repo, [...leadRefs], RequestContext.eventMetadata(), (leads) => {
      // one lead named and gone meanwhile: 404, as for any single-lead change
      if (leadRefs.length === 1 && !leads.size) throw LeadErrors.notFound('lead_not_found', 'lead');
      for (const l of leads.values()) l.assignOwner(owner, at);
      affected = leads.size;
    });
    return affected;
  }
}
