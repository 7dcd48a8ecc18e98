import { isoOrNull } from '../../platform/http';
import { MetadataFilter } from './entities/metadata-filter.entity';
import { VelocityFilter } from './entities/velocity-filter.entity';
import { MetadataFilterDto, VelocityFilterDto } from './http/filters.dto';

export const toVelocityFilterView = (f: VelocityFilter): VelocityFilterDto => ({
  filter_id: f.id,
  event_type: f.eventType,
  count_threshold: f.countThreshold,
  time_window_ms: f.timeWindowMs,
  group_events: f.groupEvents,
  org_id: f.orgId,
  unit_id: f.unitId,
  created_by: f.createdBy,
  updated_by: f.updatedBy,
  created_at: isoOrNull(f.createdAt)!,
  updated_at: isoOrNull(f.updatedAt)!,
});

/** `suppressed`: events this filter suppressed, counted on read (MF-7, per filter). */
export const toMetadataFilterView = (f: MetadataFilter, suppressed: number): MetadataFilterDto => ({
  id: f.id,
  unit_id: f.unitId,
  name: f.name,
  event_type: f.eventType,
  conditions: f.conditions,
  enabled: f.enabled,
  suppressed_count: suppressed,
  created_by: f.createdBy,
  updated_by: f.updatedBy,
  created_at: isoOrNull(f.createdAt)!,
  updated_at: isoOrNull(f.updatedAt)!,
});
