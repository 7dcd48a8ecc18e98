import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { execute, sql } from '../../../../platform/database';
import { RequestContext } from '../../../../platform/tenancy';
import { SurgeTriggersReader } from '../../queries/surge-triggers.reader';
import { DeleteSurgeTriggerCommand } from './delete-surge-trigger.command';

@CommandHandler(DeleteSurgeTriggerCommand)
export class DeleteSurgeTriggerHandler implements ICommandHandler<DeleteSurgeTriggerCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly triggers: SurgeTriggersReader,
  ) {}

  async execute({ triggerId }: DeleteSurgeTriggerCommand): Promise<void> {
    const trigger = await this.triggers.get(triggerId);
    await this.ds.transaction(async (m) => {
      await execute(m, sql`DELETE FROM surge_triggers WHERE id = ${trigger.id}`);
      await execute(m, sql`DELETE FROM surge_recent_events WHERE trigger_id = ${trigger.id}`);
      await execute(m, sql`DELETE FROM surge_lead_state WHERE trigger_id = ${trigger.id}`);
    });
    RequestContext.describe({ entityType: 'surge_trigger', entityId: trigger.id, summary: `deleted surge trigger '${trigger.name}'` });
  }
}
