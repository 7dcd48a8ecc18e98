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

  async execute({ ruleId, changes, dimension, alsoInTransaction }: UpdateRuleCommand): Promise<{ rulesetId: string }> {
    const rulesetId = await this.lookup.rulesetOfRule(ruleId, dimension);
    const decide = (ruleset: Ruleset) => {
      assertInActiveUnit(ruleset, dimension);
      // the window is checked on the rule as it would be, so changing one end alone cannot invert it
      const next = { ...ruleset.rule(ruleId), ...changes } as RuleState;
      if (!isAttributeRuleFields(next)) assertRuleWindow(next);
      ruleset.updateRule(ruleId, changes, RequestContext.actor(), this.clock.now().toISOString());
    };
    const metadata = RequestContext.eventMetadata();
    const done = alsoInTransaction
      ? this.repo.transaction(
          async (m) => {
            const ruleset = await this.repo.load(Ruleset, rulesetId, m);
            decide(ruleset);
            await this.repo.save(ruleset, metadata, m);
            await alsoInTransaction(m);
          },
          { attempts: 5 },
        )
      : this.repo.execute(Ruleset, rulesetId, metadata, decide);
    await done.catch(rethrowRuleViolation);
    return { rulesetId };
  }
}
