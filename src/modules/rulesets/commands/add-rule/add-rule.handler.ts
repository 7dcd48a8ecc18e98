import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { newId } from '../../../../platform/database';
import { isAttributeRuleFields } from '../../domain/ruleset-events';
import { Ruleset } from '../../domain/ruleset.aggregate';
import { RulesetLookup } from '../../queries/ruleset-lookup.service';
import { RulesetErrors } from '../../rulesets.errors';
import { assertRuleWindow } from '../rule-window';
import { assertInActiveUnit, rethrowRuleViolation } from '../ruleset-guards';
import { AddRuleCommand } from './add-rule.command';

@CommandHandler(AddRuleCommand)
export class AddRuleHandler implements ICommandHandler<AddRuleCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly lookup: RulesetLookup,
    private readonly clock: Clock,
  ) {}

  async execute({ rulesetId, fields, dimension }: AddRuleCommand): Promise<{ ruleId: string; rulesetId: string }> {
    if (!isAttributeRuleFields(fields)) assertRuleWindow(fields);
    const target = rulesetId ?? (await this.lookup.primaryRuleset(dimension));
    if (!target) {
      throw RulesetErrors.error('ruleset_required', 'ruleset_id: the active OU has no primary engagement ruleset; create one or name a ruleset', [
        { field: 'ruleset_id', reason: 'required when the OU has no primary ruleset' },
      ]);
    }
    const ruleId = newId('rl');
    await this.repo
      .execute(Ruleset, target, RequestContext.eventMetadata(), (ruleset) => {
        assertInActiveUnit(ruleset, dimension);
        ruleset.addRule(ruleId, fields, RequestContext.actor(), this.clock.now().toISOString());
      })
      .catch(rethrowRuleViolation);
    return { ruleId, rulesetId: target };
  }
}
