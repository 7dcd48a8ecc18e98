import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { LeadEventRescore, RescoreRecorder } from '../../../scoring';
import { RescoreLeadsCommand } from './rescore-leads.command';

/** The scoring engine's RescoreRecorder: score-now's changes become a RescoreLeads command of this module. */
@Injectable()
export class CommandBusRescoreRecorder extends RescoreRecorder {
  constructor(private readonly commands: CommandBus) {
    super();
  }

  async record(changes: ReadonlyMap<string, LeadEventRescore[]>, rulesetId: string, jobId: string, metadata: Record<string, unknown>): Promise<void> {
    await this.commands.execute(new RescoreLeadsCommand(changes, rulesetId, jobId, metadata));
  }
}
