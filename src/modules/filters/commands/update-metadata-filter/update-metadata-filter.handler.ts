import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../../../platform/tenancy';
import { MetadataFilter } from '../../entities/metadata-filter.entity';
import { FiltersReader } from '../../queries/filters.reader';
import { UpdateMetadataFilterCommand } from './update-metadata-filter.command';

@CommandHandler(UpdateMetadataFilterCommand)
export class UpdateMetadataFilterHandler implements ICommandHandler<UpdateMetadataFilterCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly filters: FiltersReader,
  ) {}

  async execute({ filterId, changes }: UpdateMetadataFilterCommand): Promise<void> {
    const filter = await this.filters.metadataFilter(filterId);
    filter.name = changes.name.trim();
    if (changes.event_type !== undefined) filter.eventType = changes.event_type.trim();
    if (changes.conditions !== undefined) filter.conditions = changes.conditions;
    if (changes.enabled !== undefined) filter.enabled = changes.enabled;
    filter.updatedBy = RequestContext.actor();
    await this.ds.getRepository(MetadataFilter).save(filter);
    RequestContext.describe({ entityType: 'metadata_filter', entityId: filter.id, summary: `updated attribute filter '${filter.name}'` });
  }
}
