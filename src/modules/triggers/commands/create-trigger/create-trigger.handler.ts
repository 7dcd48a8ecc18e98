import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { newId } from '../../../../platform/database';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { NotificationDestinations } from '../../../notifications';
import { Trigger } from '../../domain';
import { triggerFieldsOf } from '../trigger-input';
import { CreateTriggerCommand } from './create-trigger.command';

const ID_PREFIX = { milestone: 'trg', sequence: 'seq', pattern: 'pat' } as const;

/** A new trigger of the active OU (milestone, sequence or pattern); its destinations are checked before anything is written. */
@CommandHandler(CreateTriggerCommand)
export class CreateTriggerHandler implements ICommandHandler<CreateTriggerCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
    private readonly destinations: NotificationDestinations,
  ) {}

  async execute({ kind, input }: CreateTriggerCommand): Promise<{ triggerId: string }> {
    const fields = triggerFieldsOf(kind, input);
    await this.destinations.check(fields);
    const trigger = new Trigger(newId(ID_PREFIX[kind]));
    trigger.create({
      org_id: RequestContext.orgId(),
      unit_id: RequestContext.unitId(),
      kind,
      fields,
      by: RequestContext.actor(),
      at: this.clock.now().toISOString(),
    });
    await this.repo.save(trigger, RequestContext.eventMetadata());
    RequestContext.describe({ entityType: `${kind}_trigger`, entityId: trigger.id, summary: `created ${kind} trigger '${fields.name}'` });
    return { triggerId: trigger.id };
  }
}
