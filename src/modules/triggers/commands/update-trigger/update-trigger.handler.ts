import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { NotificationDestinations } from '../../../notifications';
import { Trigger, TriggerViolation } from '../../domain';
import { notFound, triggerFieldsOf } from '../trigger-input';
import { UpdateTriggerCommand } from './update-trigger.command';

@CommandHandler(UpdateTriggerCommand)
export class UpdateTriggerHandler implements ICommandHandler<UpdateTriggerCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
    private readonly destinations: NotificationDestinations,
  ) {}

  async execute({ kind, triggerId, input }: UpdateTriggerCommand): Promise<void> {
    const unitId = RequestContext.unitId();
    // the destinations named by the change are checked before the write (404 first: another OU's trigger does not exist)
    const current = await this.repo.load(Trigger, triggerId);
    if (!visible(current, unitId, kind)) throw notFound(kind);
    await this.destinations.check(input);
    const name = await this.repo
      .execute(Trigger, triggerId, RequestContext.eventMetadata(), (trigger) => {
        trigger.assertVisible(unitId, kind);
        const next = triggerFieldsOf(kind, input, trigger.fields);
        trigger.update(next, RequestContext.actor(), this.clock.now().toISOString());
        return next.name;
      })
      .catch((err) => {
        throw err instanceof TriggerViolation ? notFound(kind) : err;
      });
    RequestContext.describe({ entityType: `${kind}_trigger`, entityId: triggerId, summary: `updated ${kind} trigger '${name}'` });
  }
}

export function visible(t: Trigger, unitId: string, kind: Trigger['kind']): boolean {
  try {
    t.assertVisible(unitId, kind);
    return true;
  } catch {
    return false;
  }
}
