import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ServerKeys } from '../../../../platform/security';
import { RequestContext } from '../../../../platform/tenancy';
import { SurgeTrigger } from '../../entities/surge-trigger.entity';
import { SurgeTriggersReader } from '../../queries/surge-triggers.reader';
import { SurgeDestinations } from '../surge-destinations';
import { applySurgeTriggerChanges } from '../surge-trigger-changes';
import { UpdateSurgeTriggerCommand } from './update-surge-trigger.command';

@CommandHandler(UpdateSurgeTriggerCommand)
export class UpdateSurgeTriggerHandler implements ICommandHandler<UpdateSurgeTriggerCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: ServerKeys,
    private readonly destinations: SurgeDestinations,
    private readonly triggers: SurgeTriggersReader,
  ) {}

  async execute({ triggerId, changes }: UpdateSurgeTriggerCommand): Promise<{ usesWebhookUrl: boolean }> {
    const trigger = await this.triggers.get(triggerId);
    await this.destinations.check(changes);
    applySurgeTriggerChanges(trigger, changes, this.keys.fieldEncryptionKey);
    trigger.updatedBy = RequestContext.actor();
    await this.ds.getRepository(SurgeTrigger).save(trigger);
    RequestContext.describe({ entityType: 'surge_trigger', entityId: trigger.id, summary: `updated surge trigger '${trigger.name}'` });
    return { usesWebhookUrl: Boolean(trigger.webhookUrl) };
  }
}
