import { Injectable } from '@nestjs/common';
import { CommandBus, EventBus } from '@nestjs/cqrs';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { raw as sqlRaw, selectOne, selectRows, sql } from '../../../platform/database';
import { currentUnit, RequestContext, UnitScope, unitScope } from '../../../platform/tenancy';
import { UpdateRuleCommand } from '../../rulesets';
import { AttributeRulesChanged, Dimension, isAttributeDimension, ScoringErrors } from '../../scoring';
import { CalibrationErrors } from '../calibration.errors';
import { CoOccurrenceWarning, COLD_START_CONVERSIONS, Confidence, isStale, LEADS_REQUIRED, round4 } from '../domain/calibration-math';
import { ApplyCalibrationDto, CalibrationRunDto, ConversionDefinitionStateDto, RuleCalibrationDto, RulesetCalibrationsDto } from '../http/calibration.dto';
import { CalibrationEngine } from './calibration-engine';
import { ConversionDefinitions, StoredDefinition, toDefinitionView } from './conversion-definitions.service';
import { coldStartPhase } from '../domain/conversion-definition';

interface RuleRow {
  id: string;
  ruleset_id: string;
  weight: number;
  name: string;
}

interface RunRow {
  id: string;
  computed_at: Date;
  trigger: string;
  conversion_type: string;
  lookback_days: number;
  cohort_size: number;
  conversions: number;
  baseline_cr: number;
}

interface ResultRow {
  run_id: string;
  rule_id: string;
  weight_at_run: number;
  sample_size: number;
  conversions_count: number;
  rule_cr: number;
  raw_lift: number;
  shrunk_lift: number;
  confidence: Confidence;
  suggested_weight: number | null;
  co_occurrence: CoOccurrenceWarning[];
}

/** A rule's readable name: its event type (engagement) or `property condition value` (attribute rules). */
const RULE_NAME = `CASE WHEN r.dimension = 'engagement' THEN r.event_type ELSE trim(concat_ws(' ', r.property, r.condition, r.comparison_value)) END`;

/** Where the caller of apply came from, for its audit entry. */
export interface ApplyOrigin {
  ip: string | null;
  path: string;
}

/**
 * CAL-2..6 over the stored runs: the per-rule state machine (no_conversion_definition → insufficient_cohort →
 * never_computed → ready, stale after 14 days), the ruleset's runs, and apply through the Ruleset aggregate.
 * A run computed before the OU's definition last changed is not the definition's: it counts as absent.
 */
@Injectable()
export class CalibrationService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly definitions: ConversionDefinitions,
    private readonly engine: CalibrationEngine,
    private readonly commands: CommandBus,
    private readonly events: EventBus,
  ) {}

  /** CAL-2. */
  async definitionState(): Promise<ConversionDefinitionStateDto> {
    const scope = currentUnit();
    const row = await this.definitions.row(scope);
    const freshness = await this.definitions.hubspotFreshness(scope);
    const def = await this.definitions.find(scope);
    const counts = def ? await this.currentCohort(scope, def) : { cohort_size: 0, conversions: 0 };
    return {
      definition: row ? toDefinitionView(row) : null,
      cold_start_state: {
        eligible: counts.conversions >= COLD_START_CONVERSIONS,
        conversions_observed: counts.conversions,
        conversions_required: COLD_START_CONVERSIONS,
        leads_scored: counts.cohort_size,
        leads_required: LEADS_REQUIRED,
        phase: def ? coldStartPhase(counts.cohort_size, counts.conversions, LEADS_REQUIRED, COLD_START_CONVERSIONS) : 'no_definition',
      },
      ...(freshness ? { hubspot_sync_freshness: freshness } : {}),
    };
  }

  /** CAL-3/4. */
  async ruleCalibration(dimension: Dimension, rulesetId: string, ruleId: string, force: boolean): Promise<RuleCalibrationDto> {
    const scope = currentUnit();
    const rule = await this.rule(scope, dimension, ruleId, rulesetId);
    const base: RuleCalibrationDto = {
      state: 'never_computed',
      required_action: null,
      leads_scored: 0,
      leads_required: LEADS_REQUIRED,
      rule_id: rule.id,
      ruleset_id: rule.ruleset_id,
      dimension,
      current_weight: rule.weight,
      suggested_weight: null,
      sample_size: null,
      conversions_count: null,
      baseline_cr: null,
      rule_cr: null,
      raw_lift: null,
      shrunk_lift: null,
      confidence: null,
      co_occurrence_warnings: [],
      computed_at: null,
      stale: false,
    };
    const def = await this.definitions.find(scope);
    if (!def) return { ...base, state: 'no_conversion_definition', required_action: 'set_definition_in_ou_settings' };
    if (force) await this.engine.computeUnit(scope, 'force');
    const run = await this.latestRun(scope, rule.ruleset_id, def);
    if (!run) {
      const counts = await this.currentCohort(scope, def);
      if (counts.cohort_size < LEADS_REQUIRED)
        return { ...base, state: 'insufficient_cohort', required_action: 'wait_for_more_scored_leads', leads_scored: counts.cohort_size };
      return { ...base, state: 'never_computed', required_action: 'run_calibration', leads_scored: counts.cohort_size };
    }
    const computed = {
      computed_at: new Date(run.computed_at).toISOString(),
      stale: isStale(new Date(run.computed_at), this.clock.now()),
      leads_scored: run.cohort_size,
    };
    if (run.cohort_size < LEADS_REQUIRED) return { ...base, ...computed, state: 'insufficient_cohort', required_action: 'wait_for_more_scored_leads' };
    const r = await selectOne<ResultRow>(this.ds, sql`SELECT * FROM calibration_rule_results WHERE run_id = ${run.id} AND rule_id = ${rule.id}`);
    if (!r || r.sample_size === 0) return { ...base, ...computed, state: 'never_computed', required_action: r ? 'wait_for_rule_activity' : 'run_calibration' };
    return {
      ...base,
      ...computed,
      state: 'ready',
      required_action: computed.stale
        ? 'recompute_calibration'
        : r.suggested_weight === null
          ? 'wait_for_more_data'
          : r.suggested_weight === rule.weight
            ? null
            : 'apply_suggested_weight',
      suggested_weight: r.suggested_weight,
      sample_size: r.sample_size,
      conversions_count: r.conversions_count,
      baseline_cr: round4(Number(run.baseline_cr)),
      rule_cr: round4(Number(r.rule_cr)),
      raw_lift: round4(Number(r.raw_lift)),
      shrunk_lift: round4(Number(r.shrunk_lift)),
      confidence: r.confidence,
      co_occurrence_warnings: r.co_occurrence,
    };
  }

  /** CAL-5. */
  async rulesetCalibrations(dimension: Dimension, rulesetId: string): Promise<RulesetCalibrationsDto> {
    const scope = currentUnit();
    const rs = await selectOne<{ id: string }>(
      this.ds,
      sql`SELECT id FROM rulesets WHERE id = ${rulesetId} AND ${unitScope(undefined, scope)} AND dimension = ${dimension}`,
    );
    if (!rs) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
    const def = await this.definitions.find(scope);
    const runs = await selectRows<RunRow>(
      this.ds,
      sql`SELECT id, computed_at, trigger, conversion_type, lookback_days, cohort_size, conversions, baseline_cr
            FROM calibration_runs WHERE ruleset_id = ${rulesetId} AND ${unitScope(undefined, scope)} ORDER BY computed_at DESC, id`,
    );
    const results = runs.length
      ? await selectRows<ResultRow & { name: string; current_weight: number }>(
          this.ds,
          sql`SELECT x.*, ${sqlRaw(RULE_NAME)} AS name, r.weight AS current_weight
                FROM calibration_rule_results x JOIN rules r ON r.id = x.rule_id AND r.ruleset_id = x.ruleset_id
               WHERE x.run_id = ANY(${runs.map((r) => r.id)}::uuid[]) ORDER BY x.rule_id`,
        )
      : [];
    const now = this.clock.now();
    return {
      ruleset_id: rulesetId,
      dimension,
      ...(def
        ? {
            conversion_definition_summary: {
              conversion_type: def.conversion_type,
              event_type_id: def.event_type_id,
              deal_stages: def.deal_stages,
              engagement_persistence_days: def.engagement_persistence_days,
              lookback_days: def.lookback_days,
              updated_at: def.updated_at.toISOString(),
            },
          }
        : {}),
      runs: runs.map((run): CalibrationRunDto => ({
        run_id: run.id,
        computed_at: new Date(run.computed_at).toISOString(),
        stale: isStale(new Date(run.computed_at), now),
        trigger: run.trigger,
        conversion_type: run.conversion_type,
        lookback_days: run.lookback_days,
        cohort_size: run.cohort_size,
        conversions: run.conversions,
        baseline_cr: round4(Number(run.baseline_cr)),
        rules: results
          .filter((x) => x.run_id === run.id)
          .map((x) => ({
            rule_id: x.rule_id,
            name: x.name,
            current_weight: x.current_weight,
            weight_at_run: x.weight_at_run,
            suggested_weight: x.suggested_weight,
            sample_size: x.sample_size,
            conversions_count: x.conversions_count,
            rule_cr: round4(Number(x.rule_cr)),
            raw_lift: round4(Number(x.raw_lift)),
            shrunk_lift: round4(Number(x.shrunk_lift)),
            confidence: x.confidence,
            co_occurrence_warnings: x.co_occurrence,
          })),
      })),
    };
  }

  /** CAL-6: the suggested weight through the Ruleset aggregate, and its audit entry in the same transaction. */
  async apply(dimension: Dimension, ruleId: string, origin: ApplyOrigin): Promise<ApplyCalibrationDto> {
    const scope = currentUnit();
    const rule = await this.rule(scope, dimension, ruleId);
    const def = await this.definitions.find(scope);
    if (!def) throw CalibrationErrors.error('no_conversion_definition', 'the OU has no conversion definition: set one in the OU settings first');
    const run = await this.latestRun(scope, rule.ruleset_id, def);
    const r = run && (await selectOne<ResultRow>(this.ds, sql`SELECT * FROM calibration_rule_results WHERE run_id = ${run.id} AND rule_id = ${rule.id}`));
    if (!run || !r || r.sample_size === 0) {
      throw CalibrationErrors.error('never_computed', 'no calibration of this rule was found: call GET …/calibration?force=1 first');
    }
    if (isStale(new Date(run.computed_at), this.clock.now())) {
      throw CalibrationErrors.error(
        'stale_calibration',
        `the calibration was computed ${new Date(run.computed_at).toISOString()}, more than 14 days ago: recompute it first`,
      );
    }
    if (r.suggested_weight === null) {
      throw CalibrationErrors.error(
        'insufficient_sample',
        `no suggested weight: confidence is insufficient (${r.sample_size} leads, ${r.conversions_count} conversions)`,
      );
    }
    const prior = rule.weight;
    const next = r.suggested_weight;
    const principal = RequestContext.principal();
    const actor = RequestContext.actor();
    const summary =
      `${actor} applied calibration to ${dimension} rule '${rule.name}': weight ${prior} → ${next} ` +
      `(run ${run.id} computed ${new Date(run.computed_at).toISOString()}, ${run.conversion_type} over ${run.lookback_days} days, ` +
      `sample ${r.sample_size}, conversions ${r.conversions_count}, shrunk lift ${round4(Number(r.shrunk_lift))}, confidence ${r.confidence})`;
    let auditId = '';
    const writeAudit = async (m: EntityManager) => {
      const [row] = await m.query(
        `INSERT INTO audit_logs (org_id, unit_id, actor_type, actor_id, user_email, method, path, status, ip, latency_ms, verb, entity_type, entity_id, summary, request_id, created_at)
         VALUES ($1, $2, $3, $4, $5, 'POST', $6, 200, $7, 0, 'updated', $8, $9, $10, $11, $12) RETURNING id::text AS id`,
        [
          scope.orgId,
          scope.unitId,
          principal.type,
          principal.id,
          principal.email ?? null,
          origin.path,
          origin.ip,
          dimension === 'engagement' ? 'rule' : `${dimension}_rule`,
          rule.id,
          summary,
          RequestContext.current()?.requestId ?? null,
          this.clock.now().toISOString(),
        ],
      );
      auditId = row.id;
    };
    await this.commands.execute(new UpdateRuleCommand(rule.id, { weight: next }, dimension, writeAudit));
    // the entry above is this request's audit entry: the middleware's generic one would repeat it
    RequestContext.describe({ verb: '' });
    if (isAttributeDimension(dimension)) this.events.publish(new AttributeRulesChanged(scope.orgId, scope.unitId, dimension, rule.ruleset_id, actor));
    return { prior_weight: prior, new_weight: next, audit_id: auditId };
  }

  /**
   * The cohort's size and conversions: from the OU's newest run when it is the definition's and not stale (counting
   * the cohort live scans the window's contributions: seconds at 100,000 leads), live otherwise.
   */
  private async currentCohort(scope: UnitScope, def: StoredDefinition): Promise<{ cohort_size: number; conversions: number }> {
    const run = await selectOne<{ cohort_size: number; conversions: number; computed_at: Date }>(
      this.ds,
      sql`SELECT cohort_size, conversions, computed_at FROM calibration_runs
           WHERE ${unitScope(undefined, scope)} AND computed_at >= ${def.updated_at.toISOString()} ORDER BY computed_at DESC LIMIT 1`,
    );
    if (run && !isStale(new Date(run.computed_at), this.clock.now())) return { cohort_size: run.cohort_size, conversions: run.conversions };
    return this.engine.cohortCounts(scope, def);
  }

  /** The rule of the route's dimension in the active OU (and of `rulesetId` when given); 404 rule_not_found otherwise. */
  private async rule(scope: UnitScope, dimension: Dimension, ruleId: string, rulesetId?: string): Promise<RuleRow> {
    const row = await selectOne<RuleRow>(
      this.ds,
      sql`SELECT r.id, r.ruleset_id, r.weight, ${sqlRaw(RULE_NAME)} AS name FROM rules r
           WHERE r.id = ${ruleId} AND ${unitScope('r', scope)} AND r.dimension = ${dimension}
             ${rulesetId === undefined ? sqlRaw('') : sql`AND r.ruleset_id = ${rulesetId}`}`,
    );
    if (!row) throw CalibrationErrors.notFound('rule_not_found', 'rule');
    return row;
  }

  private async latestRun(scope: UnitScope, rulesetId: string, def: StoredDefinition): Promise<RunRow | undefined> {
    return selectOne<RunRow>(
      this.ds,
      sql`SELECT id, computed_at, trigger, conversion_type, lookback_days, cohort_size, conversions, baseline_cr
            FROM calibration_runs WHERE ruleset_id = ${rulesetId} AND ${unitScope(undefined, scope)} AND computed_at >= ${def.updated_at.toISOString()}
           ORDER BY computed_at DESC, id LIMIT 1`,
    );
  }
}
