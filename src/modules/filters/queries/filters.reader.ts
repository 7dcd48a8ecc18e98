import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inUnit } from '../../../platform/tenancy';
import { MetadataFilter } from '../entities/metadata-filter.entity';
import { VelocityFilter } from '../entities/velocity-filter.entity';
import { FilterErrors } from '../filters.errors';
import { MetadataFilterDto, VelocityFilterDto } from '../http/filters.dto';
import { toMetadataFilterView, toVelocityFilterView } from '../filters.mappers';
import { MetadataFilterStats } from './metadata-filter-stats.service';

/** Reads of the active OU's filters; a filter of another OU does not exist for the caller (404). */
@Injectable()
export class FiltersReader {
  constructor(
    private readonly ds: DataSource,
    private readonly stats: MetadataFilterStats,
  ) {}

  async velocityFilter(id: string): Promise<VelocityFilter> {
    const f = await this.ds.getRepository(VelocityFilter).findOneBy(inUnit({ id }));
    if (!f) throw FilterErrors.notFound('filter_not_found', 'filter');
    return f;
  }

  async metadataFilter(id: string): Promise<MetadataFilter> {
    const f = await this.ds.getRepository(MetadataFilter).findOneBy(inUnit({ id }));
    if (!f) throw FilterErrors.notFound('filter_not_found', 'filter');
    return f;
  }

  async velocityFilterView(id: string): Promise<VelocityFilterDto> {
    return toVelocityFilterView(await this.velocityFilter(id));
  }

  /** Newest first. */
  async velocityFilterViews(): Promise<VelocityFilterDto[]> {
    return (await this.ds.getRepository(VelocityFilter).find({ where: inUnit(), order: { createdAt: 'DESC', id: 'ASC' } })).map(toVelocityFilterView);
  }

  /** One metadata filter with the number of events it suppressed. */
  async metadataFilterView(id: string): Promise<MetadataFilterDto> {
    const f = await this.metadataFilter(id);
    return toMetadataFilterView(f, (await this.stats.suppressedCounts([f.id])).get(f.id) ?? 0);
  }

  /** Enabled first, then most recently updated first. */
  async metadataFilterViews(): Promise<MetadataFilterDto[]> {
    const filters = await this.ds
      .getRepository(MetadataFilter)
      .find({ where: inUnit(), order: { enabled: 'DESC', updatedAt: 'DESC', createdAt: 'DESC', id: 'ASC' } });
    const counts = await this.stats.suppressedCounts(filters.map((f) => f.id));
    return filters.map((f) => toMetadataFilterView(f, counts.get(f.id) ?? 0));
  }
}
