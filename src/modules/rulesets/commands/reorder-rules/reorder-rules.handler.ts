import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { Ruleset } from '../../domain/ruleset.aggregate';
import { assertInActiveUnit, rethrowRuleViolation } from '../ruleset-guards';
import { ReorderRulesCommand } from './reorder-rules.command';

@CommandHandler(ReorderRulesCommand)
export class ReorderRulesHandler implements ICommandHandler<ReorderRulesCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ rulesetId, ruleIds }: ReorderRulesCommand): Promise<void> {
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (ruleset) => {
        assertInActiveUnit(ruleset);
        ruleset.reorder(ruleIds, this.clock.now().toISOString());
      })
      .catch(rethrowRuleViolation);
  }
}
