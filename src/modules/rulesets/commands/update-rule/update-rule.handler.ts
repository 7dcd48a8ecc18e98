import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { isAttributeRuleFields } from '../../domain/ruleset-events';
import { Ruleset, RuleState } from '../../domain/ruleset.aggregate';
import { RulesetLookup } from '../../queries/ruleset-lookup.service';
import { assertRuleWindow } from '../rule-window';
import { assertInActiveUnit, rethrowRuleViolation } from '../ruleset-guards';
import { UpdateRuleCommand } from './update-rule.command';

@CommandHandler(UpdateRuleCommand)
export class UpdateRuleHandler implements ICommandHandler<UpdateRuleCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly lookup: RulesetLookup,
    private readonly clock: Clock,
  ) {}

  async execute({ ruleId, changes, dimension }: UpdateRuleCommand): Promise<{ rulesetId: string }> {
    const rulesetId = await this.lookup.rulesetOfRule(ruleId, dimension);
    await this.repo
      .execute(Ruleset, rulesetId, RequestContext.eventMetadata(), (ruleset) => {
        assertInActiveUnit(ruleset, dimension);
        // the window is checked on the rule as it would be, so changing one end alone cannot invert it
        const next = { ...ruleset.rule(ruleId), ...changes } as RuleState;
        if (!isAttributeRuleFields(next)) assertRuleWindow(next);
        ruleset.updateRule(ruleId, changes, RequestContext.actor(), this.clock.now().toISOString());
      })
      .catch(rethrowRuleViolation);
    return { rulesetId };
  }
}
