import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { changeLiveLeads } from '../../lead-lock';
import { RescoreLeadsCommand } from './rescore-leads.command';

@CommandHandler(RescoreLeadsCommand)
export class RescoreLeadsHandler implements ICommandHandler<RescoreLeadsCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ changes, rulesetId, jobId, metadata }: RescoreLeadsCommand): Promise<void> {
    if (!changes.size) return;
    const at = this.clock.now();
    // a lead deleted meanwhile (LEAD-18) is left alone
    await changeLiveLeads(this.repo, [...changes.keys()], metadata, (leads) => {
      for (const [ref, list] of changes) leads.get(ref)?.rescore({ ruleset_id: rulesetId, job_id: jobId, changes: list }, at);
    });
  }
}
