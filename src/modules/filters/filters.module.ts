import { Module } from '@nestjs/common';
import { CreateMetadataFilterHandler } from './commands/create-metadata-filter/create-metadata-filter.handler';
import { CreateVelocityFilterHandler } from './commands/create-velocity-filter/create-velocity-filter.handler';
import { DeleteMetadataFilterHandler } from './commands/delete-metadata-filter/delete-metadata-filter.handler';
import { DeleteVelocityFilterHandler } from './commands/delete-velocity-filter/delete-velocity-filter.handler';
import { UpdateMetadataFilterHandler } from './commands/update-metadata-filter/update-metadata-filter.handler';
import { UpdateVelocityFilterHandler } from './commands/update-velocity-filter/update-velocity-filter.handler';
import { MetadataFiltersController } from './http/metadata-filters.controller';
import { VelocityFiltersController } from './http/velocity-filters.controller';
import { FiltersReader } from './queries/filters.reader';
import { MetadataFilterStats } from './queries/metadata-filter-stats.service';

const CommandHandlers = [
  CreateVelocityFilterHandler,
  UpdateVelocityFilterHandler,
  DeleteVelocityFilterHandler,
  CreateMetadataFilterHandler,
  UpdateMetadataFilterHandler,
  DeleteMetadataFilterHandler,
];

/** Event suppression filters of an OU (configuration; the ingestion pipeline applies them). */
@Module({
  controllers: [VelocityFiltersController, MetadataFiltersController],
  providers: [...CommandHandlers, FiltersReader, MetadataFilterStats],
})
export class FiltersModule {}
