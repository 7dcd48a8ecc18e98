import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { newId } from '../../../../platform/database';
import { RequestContext, currentUnit } from '../../../../platform/tenancy';
import { canonicalEventType } from '../../../scoring/domain';
import { VelocityFilter } from '../../entities/velocity-filter.entity';
import { CreateVelocityFilterCommand } from './create-velocity-filter.command';

@CommandHandler(CreateVelocityFilterCommand)
export class CreateVelocityFilterHandler implements ICommandHandler<CreateVelocityFilterCommand> {
  constructor(private readonly ds: DataSource) {}

  async execute({ input }: CreateVelocityFilterCommand): Promise<{ filterId: string }> {
    const { orgId, unitId } = currentUnit();
    const actor = RequestContext.actor();
    const repo = this.ds.getRepository(VelocityFilter);
    const filter = repo.create({
      id: newId('vf'),
      orgId,
      unitId,
      eventType: input.event_type.trim(),
      eventTypeKey: canonicalEventType(input.event_type),
      countThreshold: input.count_threshold,
      timeWindowMs: input.time_window_ms,
      groupEvents: input.group_events ?? false,
      createdBy: actor,
      updatedBy: actor,
    });
    await repo.save(filter);
    RequestContext.describe({
      entityType: 'inorganic_filter',
      entityId: filter.id,
      summary: `created inorganic filter on '${filter.eventType}' (${filter.countThreshold} per ${filter.timeWindowMs} ms)`,
    });
    return { filterId: filter.id };
  }
}
