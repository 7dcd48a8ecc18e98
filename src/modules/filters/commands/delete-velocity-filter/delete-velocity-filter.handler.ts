import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../../../platform/tenancy';
import { VelocityFilter } from '../../entities/velocity-filter.entity';
import { FiltersReader } from '../../queries/filters.reader';
import { DeleteVelocityFilterCommand } from './delete-velocity-filter.command';

@CommandHandler(DeleteVelocityFilterCommand)
export class DeleteVelocityFilterHandler implements ICommandHandler<DeleteVelocityFilterCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly filters: FiltersReader,
  ) {}

  async execute({ filterId }: DeleteVelocityFilterCommand): Promise<void> {
    const filter = await this.filters.velocityFilter(filterId);
    await this.ds.getRepository(VelocityFilter).delete({ id: filter.id });
    RequestContext.describe({ entityType: 'inorganic_filter', entityId: filter.id, summary: `deleted inorganic filter on '${filter.eventType}'` });
  }
}
