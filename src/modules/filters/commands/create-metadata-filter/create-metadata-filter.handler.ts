import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { newId } from '../../../../platform/database';
import { RequestContext, currentUnit } from '../../../../platform/tenancy';
import { MetadataFilter } from '../../entities/metadata-filter.entity';
import { CreateMetadataFilterCommand } from './create-metadata-filter.command';

@CommandHandler(CreateMetadataFilterCommand)
export class CreateMetadataFilterHandler implements ICommandHandler<CreateMetadataFilterCommand> {
  constructor(private readonly ds: DataSource) {}

  async execute({ input }: CreateMetadataFilterCommand): Promise<{ filterId: string }> {
    const { orgId, unitId } = currentUnit();
    const actor = RequestContext.actor();
    const repo = this.ds.getRepository(MetadataFilter);
    const filter = repo.create({
      id: newId('mf'),
      orgId,
      unitId,
      name: input.name.trim(),
      eventType: (input.event_type ?? '').trim(),
      conditions: input.conditions,
      enabled: input.enabled ?? true,
      suppressedCount: 0,
      createdBy: actor,
      updatedBy: actor,
    });
    await repo.save(filter);
    RequestContext.describe({ entityType: 'metadata_filter', entityId: filter.id, summary: `created attribute filter '${filter.name}'` });
    return { filterId: filter.id };
  }
}
