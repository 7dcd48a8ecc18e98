import { Module } from '@nestjs/common';
import { MetadataFiltersController, VelocityFiltersController } from './http/filters.controller';

/** Event suppression filters of an OU (configuration; the ingestion pipeline applies them). */
@Module({ controllers: [VelocityFiltersController, MetadataFiltersController] })
export class FiltersModule {}
