import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ProcessingScope } from '../../leads';
import { Condition } from '../domain/conditions';
import { MetadataFilter } from '../domain/metadata-filters';
import { Ruleset } from '../domain/ruleset';
import { VelocityFilter } from '../domain/velocity-filter';

/** Everything the scoring core needs about one OU, loaded in one round trip. */
export interface OuScoringSetup {
  rulesets: Ruleset[];
  /** ruleset id → display name */
  rulesetNames: Map<string, string>;
  velocityFilters: VelocityFilter[];
  metadataFilters: MetadataFilter[];
  hiddenEventTypes: Set<string>;
  scopes: Map<string, ProcessingScope>;
  allowNegative: boolean;
}

/**
 * Reads an OU's engagement rulesets (active or not: the domain decides), velocity and metadata filters, event
 * type settings and the organization's negative-score setting. The live pipeline, the dry run and score-now
 * all build their input here, so they cannot disagree about configuration.
 */
@Injectable()
export class ScoringSetupService {
  constructor(private readonly ds: DataSource) {}

  async load(orgId: string, unitId: string, manager?: EntityManager): Promise<OuScoringSetup> {
    const m = manager ?? this.ds.manager;
    const [row] = await m.query(
      `SELECT
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'active', r.active,
                   'start_date', r.start_date, 'end_date', r.end_date,
                   'rules', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'event_type', x.event_type,
                       'weight', x.weight, 'half_life_days', x.half_life_days, 'active', x.active,
                       'start_at', x.start_at, 'end_at', x.end_at, 'priority', x.priority, 'filters', x.filters)
                       ORDER BY x.priority, x.id), '[]'::jsonb) FROM rules x WHERE x.ruleset_id = r.id))
                   ORDER BY r.created_at, r.id), '[]'::jsonb)
            FROM rulesets r WHERE r.unit_id = $2 AND r.org_id = $1 AND r.dimension = 'engagement') AS rulesets,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('event_type', v.event_type, 'count_threshold', v.count_threshold,
                   'time_window_ms', v.time_window_ms, 'group_events', v.group_events) ORDER BY v.created_at, v.id), '[]'::jsonb)
            FROM velocity_filters v WHERE v.unit_id = $2 AND v.org_id = $1) AS velocity,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'event_type', f.event_type, 'conditions', f.conditions,
                   'enabled', f.enabled) ORDER BY f.created_at, f.id), '[]'::jsonb)
            FROM metadata_filters f WHERE f.unit_id = $2 AND f.org_id = $1 AND f.enabled) AS metadata,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('key', s.key, 'hidden', s.hidden, 'scope', s.max_processing_scope)), '[]'::jsonb)
            FROM event_type_settings s WHERE s.unit_id = $2) AS types,
         (SELECT allow_negative_scores FROM scoring_settings WHERE org_id = $1) AS allow_negative`,
      [orgId, unitId],
    );
    const rulesets: Ruleset[] = row.rulesets.map((r: any) => ({
      id: r.id,
      active: r.active,
      start_date: r.start_date,
      end_date: r.end_date,
      rules: r.rules.map((x: any) => ({
        id: x.id,
        event_type: x.event_type,
        weight: x.weight,
        half_life_days: x.half_life_days,
        active: x.active,
        start_at: x.start_at ? new Date(x.start_at) : null,
        end_at: x.end_at ? new Date(x.end_at) : null,
        priority: x.priority,
        filters: (x.filters ?? []) as Condition[],
      })),
    }));
    const types = row.types as { key: string; hidden: boolean; scope: ProcessingScope }[];
    return {
      rulesets,
      rulesetNames: new Map(row.rulesets.map((r: any) => [r.id, r.name])),
      velocityFilters: row.velocity,
      metadataFilters: row.metadata,
      hiddenEventTypes: new Set(types.filter((t) => t.hidden).map((t) => t.key)),
      scopes: new Map(types.map((t) => [t.key, t.scope])),
      allowNegative: row.allow_negative ?? false,
    };
  }
}
