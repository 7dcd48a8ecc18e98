import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../../../platform/tenancy';
import { canonicalEventType } from '../../../scoring/domain';
import { VelocityFilter } from '../../entities/velocity-filter.entity';
import { FiltersReader } from '../../queries/filters.reader';
import { UpdateVelocityFilterCommand } from './update-velocity-filter.command';

@CommandHandler(UpdateVelocityFilterCommand)
export class UpdateVelocityFilterHandler implements ICommandHandler<UpdateVelocityFilterCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly filters: FiltersReader,
  ) {}

  async execute({ filterId, changes }: UpdateVelocityFilterCommand): Promise<void> {
    const filter = await this.filters.velocityFilter(filterId);
    if (changes.event_type !== undefined) {
      filter.eventType = changes.event_type.trim();
      filter.eventTypeKey = canonicalEventType(changes.event_type);
    }
    if (changes.count_threshold !== undefined) filter.countThreshold = changes.count_threshold;
    if (changes.time_window_ms !== undefined) filter.timeWindowMs = changes.time_window_ms;
    if (changes.group_events !== undefined) filter.groupEvents = changes.group_events;
    filter.updatedBy = RequestContext.actor();
    await this.ds.getRepository(VelocityFilter).save(filter);
    RequestContext.describe({ entityType: 'inorganic_filter', entityId: filter.id, summary: `updated inorganic filter on '${filter.eventType}'` });
  }
}
