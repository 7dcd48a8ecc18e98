import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../platform/clock';
import { AggregateRepository } from '../../../../platform/event-store';
import { RequestContext } from '../../../../platform/tenancy';
import { Trigger, TriggerViolation } from '../../domain';
import { notFound } from '../trigger-input';
import { DeleteTriggerCommand } from './delete-trigger.command';

/** Irreversible; recorded firings and notifications are kept. */
@CommandHandler(DeleteTriggerCommand)
export class DeleteTriggerHandler implements ICommandHandler<DeleteTriggerCommand> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ kind, triggerId }: DeleteTriggerCommand): Promise<void> {
    const unitId = RequestContext.unitId();
    const name = await this.repo
      .execute(Trigger, triggerId, RequestContext.eventMetadata(), (trigger) => {
        trigger.assertVisible(unitId, kind);
        const n = trigger.fields.name;
        trigger.remove(RequestContext.actor(), this.clock.now().toISOString());
        return n;
      })
      .catch((err) => {
        throw err instanceof TriggerViolation ? notFound(kind) : err;
      });
    RequestContext.describe({ entityType: `${kind}_trigger`, entityId: triggerId, summary: `deleted ${kind} trigger '${name}'` });
  }
}
