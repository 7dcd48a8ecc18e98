import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { newId } from '../../../../platform/database';
import { ServerKeys } from '../../../../platform/security';
import { RequestContext, currentUnit } from '../../../../platform/tenancy';
import { SurgeTrigger } from '../../entities/surge-trigger.entity';
import { describeSurgeRule } from '../../surge.mappers';
import { SurgeDestinations } from '../surge-destinations';
import { applySurgeTriggerChanges } from '../surge-trigger-changes';
import { CreateSurgeTriggerCommand } from './create-surge-trigger.command';

@CommandHandler(CreateSurgeTriggerCommand)
export class CreateSurgeTriggerHandler implements ICommandHandler<CreateSurgeTriggerCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: ServerKeys,
    private readonly destinations: SurgeDestinations,
  ) {}

  async execute({ input }: CreateSurgeTriggerCommand): Promise<{ triggerId: string }> {
    await this.destinations.check(input);
    const { orgId, unitId } = currentUnit();
    const actor = RequestContext.actor();
    const repo = this.ds.getRepository(SurgeTrigger);
    const trigger = repo.create({
      id: newId('srg'),
      orgId,
      unitId,
      name: '',
      eventType: '',
      eventTypeKey: '',
      windowSeconds: input.window_seconds,
      windowUnit: 'seconds',
      thresholdCount: input.threshold_count,
      active: true,
      notificationChannelId: null,
      webhookUrl: null,
      webhookAuthHeaderEnc: null,
      webhookAuthHeaderMask: null,
      emails: [],
      slackTargetKind: null,
      slackTargetId: null,
      teamsWebhookUrl: null,
      notifyOwner: false,
      createdBy: actor,
      updatedBy: actor,
    });
    applySurgeTriggerChanges(trigger, input, this.keys.fieldEncryptionKey);
    if (!trigger.name) trigger.name = `Surge: ${describeSurgeRule(trigger)}`;
    await repo.save(trigger);
    RequestContext.describe({
      entityType: 'surge_trigger',
      entityId: trigger.id,
      summary: `created surge trigger '${trigger.name}' (${describeSurgeRule(trigger)})`,
    });
    return { triggerId: trigger.id };
  }
}
