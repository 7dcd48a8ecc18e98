import { Module } from '@nestjs/common';
import { MetadataFiltersController, VelocityFiltersController } from './http/filters.controller';
import { MetadataFilterStats } from './metadata-filter-stats.service';

/** Event suppression filters of an OU (configuration; the ingestion pipeline applies them). */
@Module({ controllers: [VelocityFiltersController, MetadataFiltersController], providers: [MetadataFilterStats] })
export class FiltersModule {}
