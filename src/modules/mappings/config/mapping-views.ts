import { isoOrNull } from '../../../platform/http';
import { MappingTarget, UpdateBehavior } from '../domain';

/** A `field_mappings` row. */
export interface MappingRow {
  id: string;
  org_id: string;
  unit_id: string;
  target: MappingTarget;
  source_field: string;
  property: string;
  update_behavior: UpdateBehavior;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface MappingHistoryRow {
  id: string;
  target: MappingTarget;
  mapping_id: string;
  action: 'create' | 'update' | 'delete';
  before: MappingView | null;
  after: MappingView | null;
  actor: string | null;
  created_at: Date;
}

/** What the API answers for a mapping: the seed fields per target, and (profile) the older docs names too. */
export type MappingView = {
  id: string;
  source_field: string;
  update_behavior: UpdateBehavior;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
} & ({ profile_property: string; metadata_key: string; profile_field: string } | { account_property: string });

export function toMappingView(r: MappingRow): MappingView {
  const common = {
    id: r.id,
    source_field: r.source_field,
    update_behavior: r.update_behavior,
    created_by: r.created_by,
    updated_by: r.updated_by,
    created_at: isoOrNull(new Date(r.created_at))!,
    updated_at: isoOrNull(new Date(r.updated_at))!,
  };
  return r.target === 'profile'
    ? { ...common, profile_property: r.property, metadata_key: r.source_field, profile_field: r.property }
    : { ...common, account_property: r.property };
}

export interface MappingHistoryView {
  id: string;
  mapping_id: string;
  action: 'create' | 'update' | 'delete';
  before: MappingView | null;
  after: MappingView | null;
  actor: string | null;
  created_at: string;
}

export function toMappingHistoryView(h: MappingHistoryRow): MappingHistoryView {
  return { id: h.id, mapping_id: h.mapping_id, action: h.action, before: h.before, after: h.after, actor: h.actor, created_at: isoOrNull(h.created_at)! };
}
