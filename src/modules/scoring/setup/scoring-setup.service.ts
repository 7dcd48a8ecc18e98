import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { orgScope, unitOnly, unitScope } from '../../../platform/tenancy';
import { effectiveSurgePolicy, ProcessingScope, SurgePolicy } from '../domain';
import { Condition } from '../domain/conditions';
import { AttributeDimension, AttributeRuleset } from '../domain/attribute-rules';
import { Dimension, ENGAGEMENT } from '../domain/dimension';
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
  /** The OU's surge session policy with presets resolved (Standard when none is stored). */
  surgePolicy: SurgePolicy;
}

/** A rule as the setup query aggregates it to JSON (instants as text). */
interface RuleJson {
  id: string;
  event_type: string;
  weight: number;
  half_life_days: number | null;
  active: boolean;
  start_at: string | null;
  end_at: string | null;
  priority: number;
  filters: Condition[] | null;
}

interface RulesetJson {
  id: string;
  name: string;
  active: boolean;
  start_date: string | null;
  end_date: string | null;
  rules: RuleJson[];
}

/** The one row of the setup query: each part aggregated to JSON. */
interface SetupRow {
  rulesets: RulesetJson[];
  velocity: VelocityFilter[];
  metadata: MetadataFilter[];
  types: { key: string; hidden: boolean; scope: ProcessingScope }[];
  allow_negative: boolean | null;
  surge_policy: SurgePolicy | null;
}

function toRuleset(r: RulesetJson): Ruleset {
  return {
    id: r.id,
    active: r.active,
    start_date: r.start_date,
    end_date: r.end_date,
    rules: r.rules.map((x) => ({
      id: x.id,
      event_type: x.event_type,
      weight: x.weight,
      half_life_days: x.half_life_days,
      active: x.active,
      start_at: x.start_at ? new Date(x.start_at) : null,
      end_at: x.end_at ? new Date(x.end_at) : null,
      priority: x.priority,
      filters: x.filters ?? [],
    })),
  };
}

/**
 * Reads an OU's engagement rulesets (active or not: the domain decides), velocity and metadata filters, event
 * type settings, its surge session policy and the organization's negative-score setting. The live pipeline, the dry run and score-now
 * all build their input here, so they cannot disagree about configuration.
 */
const CACHED_SETUPS_MAX = 10_000;

/**
 * Answers from `cache` while `scoring_setup_version` has not moved since the entry was read. Every cache of scoring
 * configuration (setups, attribute rulesets, field mappings) goes through here.
 */
export async function cachedByVersion<T>(cache: Map<string, { version: string; setup: T }>, key: string, m: EntityManager, read: () => Promise<T>): Promise<T> {
  // read first: a change committed after this read moves the counter again, so it is never cached as current
  const [{ version }] = await m.query(`SELECT version::text AS version FROM scoring_setup_version`);
  const cached = cache.get(key);
  if (cached && cached.version === version) return cached.setup;
  const setup = await read();
  if (cache.size >= CACHED_SETUPS_MAX) cache.clear();
  cache.set(key, { version, setup });
  return setup;
}

/** Attribute rulesets of an OU and dimension, each with its rules, in one round trip. */
export async function readAttributeRulesets(m: EntityManager, orgId: string, unitId: string, dimension: AttributeDimension): Promise<AttributeRuleset[]> {
  const row = await selectOne<{ rulesets: AttributeRuleset[] }>(
    m,
    sql`SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'enabled', r.active, 'is_primary', r.is_primary,
                 'score_floor_pct', r.score_floor_pct,
                 'rules', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'ruleset_id', x.ruleset_id, 'property', x.property,
                     'condition', x.condition, 'comparison_value', x.comparison_value, 'weight', x.weight, 'rule_type', x.rule_type,
                     'conditions', x.conditions, 'ui_order', x.ui_order) ORDER BY x.ui_order NULLS LAST, x.id), '[]'::jsonb)
                   FROM rules x WHERE x.ruleset_id = r.id))
               ORDER BY r.created_at, r.id), '[]'::jsonb) AS rulesets
          FROM rulesets r WHERE ${unitScope('r', { orgId, unitId })} AND r.dimension = ${dimension}`,
  );
  return row?.rulesets ?? [];
}

@Injectable()
export class ScoringSetupService {
  /**
   * Setups already read, with the `scoring_setup_version` counter seen just before reading them (migration
   * 1764000000012: every write to a setup table moves it in its own transaction). A batch checks the counter (a
   * one-row read) instead of reading the whole setup again; callers must not change what they get.
   */
  private readonly cache = new Map<string, { version: string; setup: OuScoringSetup }>();
  /** The same, for the attribute rulesets of a dimension (profile, account, deal). */
  private readonly attributeCache = new Map<string, { version: string; setup: AttributeRuleset[] }>();

  constructor(private readonly ds: DataSource) {}

  async load(orgId: string, unitId: string, manager?: EntityManager, dimension: Dimension = ENGAGEMENT): Promise<OuScoringSetup> {
    const m = manager ?? this.ds.manager;
    return cachedByVersion(this.cache, `${orgId}\u0000${unitId}\u0000${dimension}`, m, () => this.read(orgId, unitId, m, dimension));
  }

  /**
   * The OU's rulesets of an attribute dimension with their rules (enabled or not: the domain decides), cached like
   * `load`, so the ingest projection's profile re-evaluation costs one one-row read while nothing changed.
   */
  async attributeRulesets(orgId: string, unitId: string, dimension: AttributeDimension, manager?: EntityManager): Promise<AttributeRuleset[]> {
    const m = manager ?? this.ds.manager;
    return cachedByVersion(this.attributeCache, `${orgId}\u0000${unitId}\u0000${dimension}`, m, () => readAttributeRulesets(m, orgId, unitId, dimension));
  }

  private async read(orgId: string, unitId: string, m: EntityManager, dimension: Dimension): Promise<OuScoringSetup> {
    const unit = { orgId, unitId };
    const row = (await selectOne<SetupRow>(
      m,
      sql`SELECT
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'active', r.active,
                   'start_date', r.start_date, 'end_date', r.end_date,
                   'rules', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'event_type', x.event_type,
                       'weight', x.weight, 'half_life_days', x.half_life_days, 'active', x.active,
                       'start_at', x.start_at, 'end_at', x.end_at, 'priority', x.priority, 'filters', x.filters)
                       ORDER BY x.priority, x.id), '[]'::jsonb) FROM rules x WHERE x.ruleset_id = r.id))
                   ORDER BY r.created_at, r.id), '[]'::jsonb)
            FROM rulesets r WHERE ${unitScope('r', unit)} AND r.dimension = ${dimension}) AS rulesets,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('event_type', v.event_type, 'count_threshold', v.count_threshold,
                   'time_window_ms', v.time_window_ms, 'group_events', v.group_events) ORDER BY v.created_at, v.id), '[]'::jsonb)
            FROM velocity_filters v WHERE ${unitScope('v', unit)}) AS velocity,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'event_type', f.event_type, 'conditions', f.conditions,
                   'enabled', f.enabled) ORDER BY f.created_at, f.id), '[]'::jsonb)
            FROM metadata_filters f WHERE ${unitScope('f', unit)} AND f.enabled) AS metadata,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('key', s.key, 'hidden', s.hidden, 'scope', s.max_processing_scope)), '[]'::jsonb)
            FROM event_type_settings s WHERE ${unitOnly('s', unitId)}) AS types,
         (SELECT allow_negative_scores FROM scoring_settings WHERE ${orgScope(undefined, orgId)}) AS allow_negative,
         (SELECT jsonb_build_object('mode', p.mode, 'bands', p.bands, 'idle_reset_seconds', p.idle_reset_seconds, 'multiplier_cap', p.multiplier_cap)
            FROM surge_session_policies p WHERE ${unitOnly('p', unitId)}) AS surge_policy`,
    ))!;
    const types = row.types;
    return {
      rulesets: row.rulesets.map(toRuleset),
      rulesetNames: new Map(row.rulesets.map((r) => [r.id, r.name])),
      velocityFilters: row.velocity,
      metadataFilters: row.metadata,
      hiddenEventTypes: new Set(types.filter((t) => t.hidden).map((t) => t.key)),
      scopes: new Map(types.map((t) => [t.key, t.scope])),
      allowNegative: row.allow_negative ?? false,
      surgePolicy: effectiveSurgePolicy(row.surge_policy),
    };
  }
}
