import { Command } from '@nestjs/cqrs';
import { LeadOwnerAssignedPayload } from '../../domain/lead-events';

/** LEAD-19: the owner of the given live leads (unknown or hidden ones skipped); answers how many were assigned. */
export class AssignLeadOwnerCommand extends Command<number> {
  constructor(
    readonly leadRefs: readonly string[],
    readonly owner: LeadOwnerAssignedPayload,
  ) {
    super();
  }
}
