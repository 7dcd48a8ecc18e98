import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { Ruleset } from '../../domain/ruleset.aggregate';
import { RulesetLookup } from '../../queries/ruleset-lookup.service';
import { assertInActiveUnit, rethrowRuleViolation } from '../ruleset-guards';
import { RemoveRuleCommand } from './remove-rule.command';

@CommandHandler(RemoveRuleCommand)
export class RemoveRuleHandler implements ICommandHandler<RemoveRuleCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly lookup: RulesetLookup,
    private readonly clock: Clock,
  ) {}

  async execute({ ruleId, dimension }: RemoveRuleCommand): Promise<void> {
    const rulesetId = await this.lookup.rulesetOfRule(ruleId, dimension);
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (ruleset) => {
        assertInActiveUnit(ruleset, dimension);
        ruleset.removeRule(ruleId, this.clock.now().toISOString());
      })
      .catch(rethrowRuleViolation);
  }
}
