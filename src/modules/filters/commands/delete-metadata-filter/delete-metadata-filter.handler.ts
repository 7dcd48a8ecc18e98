import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../../../platform/tenancy';
import { MetadataFilter } from '../../entities/metadata-filter.entity';
import { FiltersReader } from '../../queries/filters.reader';
import { DeleteMetadataFilterCommand } from './delete-metadata-filter.command';

@CommandHandler(DeleteMetadataFilterCommand)
export class DeleteMetadataFilterHandler implements ICommandHandler<DeleteMetadataFilterCommand> {
  constructor(
    private readonly ds: DataSource,
    private readonly filters: FiltersReader,
  ) {}

  async execute({ filterId }: DeleteMetadataFilterCommand): Promise<void> {
    const filter = await this.filters.metadataFilter(filterId);
    await this.ds.getRepository(MetadataFilter).delete({ id: filter.id });
    RequestContext.describe({ entityType: 'metadata_filter', entityId: filter.id, summary: `deleted attribute filter '${filter.name}'` });
  }
}
