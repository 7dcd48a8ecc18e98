import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { newId } from '../../../../platform/database';
import { currentUnit, RequestContext } from '../../../../platform/tenancy';
import { newDecayRule } from '../../domain/decay-rule-input';
import { DecayRule } from '../../entities/decay-rule.entity';
import { resolvingShape } from '../decay-rule-input.guard';
import { CreateDecayCommand } from './create-decay.command';

@CommandHandler(CreateDecayCommand)
export class CreateDecayHandler implements ICommandHandler<CreateDecayCommand> {
  constructor(private readonly ds: DataSource) {}

  async execute({ input }: CreateDecayCommand): Promise<{ decayId: string }> {
    const values = resolvingShape(() => newDecayRule(input));
    const { orgId, unitId } = currentUnit();
    const actor = RequestContext.actor();
    const repo = this.ds.getRepository(DecayRule);
    const rule = repo.create({
      id: newId('dc'),
      orgId,
      unitId,
      name: values.name,
      inactiveFor: values.inactive_for,
      unit: values.unit,
      decrease: values.decrease,
      active: values.active,
      createdBy: actor,
      updatedBy: actor,
    });
    await repo.save(rule);
    RequestContext.describe({
      entityType: 'decay_rule',
      entityId: rule.id,
      summary: `created decay rule: −${rule.decrease} per ${rule.inactiveFor} ${rule.unit} of inactivity`,
    });
    return { decayId: rule.id };
  }
}
