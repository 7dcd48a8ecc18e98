import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../../../platform/tenancy';
import { DecayRule } from '../../entities/decay-rule.entity';
import { DecaysReader } from '../../queries/decays.reader';
import { DeleteDecayCommand } from './delete-decay.command';

@CommandHandler(DeleteDecayCommand)
export class DeleteDecayHandler implements ICommandHandler<DeleteDecayCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly decays: DecaysReader,
  ) {}

  async execute({ decayId }: DeleteDecayCommand): Promise<void> {
    const rule = await this.decays.rule(decayId);
    await this.ds.getRepository(DecayRule).delete({ id: rule.id });
    RequestContext.describe({
      entityType: 'decay_rule',
      entityId: rule.id,
      summary: `deleted decay rule: −${rule.decrease} per ${rule.inactiveFor} ${rule.unit}`,
    });
  }
}
