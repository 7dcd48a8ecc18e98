import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { Ruleset } from '../../domain/ruleset.aggregate';
import { handOverPrimary } from '../create-ruleset/create-ruleset.handler';
import { assertInActiveUnit, rethrowRuleViolation } from '../ruleset-guards';
import { UpdateRulesetCommand } from './update-ruleset.command';

@CommandHandler(UpdateRulesetCommand)
export class UpdateRulesetHandler implements ICommandHandler<UpdateRulesetCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async execute({ rulesetId, changes, dimension }: UpdateRulesetCommand): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.ds
      .transaction(async (m) => {
        const ruleset = await this.repo.load(Ruleset, rulesetId, m);
        assertInActiveUnit(ruleset, dimension);
        if (changes.is_primary === true && !ruleset.info.is_primary) await handOverPrimary(m, this.repo, dimension, true, at, rulesetId);
        const effective = Object.fromEntries(
          Object.entries(changes).filter(([k, v]) => v !== undefined && (ruleset.info as unknown as Record<string, unknown>)[k] !== v),
        ) as typeof changes;
        ruleset.update(effective, at);
        await this.repo.save(ruleset, RequestContext.eventMetadata(), m);
      })
      .catch(rethrowRuleViolation);
  }
}
