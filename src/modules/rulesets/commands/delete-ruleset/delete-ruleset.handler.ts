import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { Ruleset } from '../../domain/ruleset.aggregate';
import { assertInActiveUnit, rethrowRuleViolation } from '../ruleset-guards';
import { DeleteRulesetCommand } from './delete-ruleset.command';

@CommandHandler(DeleteRulesetCommand)
export class DeleteRulesetHandler implements ICommandHandler<DeleteRulesetCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ rulesetId, dimension }: DeleteRulesetCommand): Promise<void> {
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (ruleset) => {
        assertInActiveUnit(ruleset, dimension);
        ruleset.remove(this.clock.now().toISOString());
      })
      .catch(rethrowRuleViolation);
  }
}
