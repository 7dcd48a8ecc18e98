import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../../../platform/tenancy';
import { decayRuleChanges } from '../../domain/decay-rule-input';
import { DecayRule } from '../../entities/decay-rule.entity';
import { DecaysReader } from '../../queries/decays.reader';
import { resolvingShape } from '../decay-rule-input.guard';
import { UpdateDecayCommand } from './update-decay.command';

/**
 * Changing the period re-counts the periods of an inactivity spell under the new one: the periods already charged
 * stay charged (the ledger keeps the count reached), later ones follow the new period.
 */
@CommandHandler(UpdateDecayCommand)
export class UpdateDecayHandler implements ICommandHandler<UpdateDecayCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly decays: DecaysReader,
  ) {}

  async execute({ decayId, changes }: UpdateDecayCommand): Promise<void> {
    const values = resolvingShape(() => decayRuleChanges(changes));
    const rule = await this.decays.rule(decayId);
    if (values.inactive_for !== undefined) rule.inactiveFor = values.inactive_for;
    if (values.unit !== undefined) rule.unit = values.unit;
    if (values.decrease !== undefined) rule.decrease = values.decrease;
    if (values.name !== undefined) rule.name = values.name;
    if (values.active !== undefined) rule.active = values.active;
    rule.updatedBy = RequestContext.actor();
    await this.ds.getRepository(DecayRule).save(rule);
    RequestContext.describe({
      entityType: 'decay_rule',
      entityId: rule.id,
      summary: `updated decay rule: −${rule.decrease} per ${rule.inactiveFor} ${rule.unit} of inactivity${rule.active ? '' : ' (inactive)'}`,
    });
  }
}
