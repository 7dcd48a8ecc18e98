import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { raw as sqlRaw, selectOne, selectRows, Sql, sql } from '../../../platform/database';
import { UnitScope, unitScope } from '../../../platform/tenancy';
import { ATTRIBUTE_DIMENSIONS, AttributeDimension, attributeRuleMatches, AttributeRuleset, Metadata, ScoringSetupService } from '../../scoring';
import { calibrateRules, CohortCounts, medianPositiveWeight, PairOverlap, RuleCalibration, RuleCounts } from '../domain/calibration-math';
import { ConversionDefinition } from '../domain/conversion-definition';
import { cohortQuery } from './cohort.sql';
import { ConversionDefinitions } from './conversion-definitions.service';

const DAY_MS = 86_400_000;
/** Runs kept per ruleset (CAL-5 lists them); older ones are dropped when a new one is written. */
export const CALIBRATION_RUNS_KEPT = 12;
/** Rows of the attribute dimensions' pass read per round trip (memory stays flat whatever the cohort). */
const BATCH = 5_000;
/** Bits of a rule-set mask word (int4, sign bit unused). */
const MASK_BITS = 30;

export type RunTrigger = 'cron' | 'manual' | 'force';

export interface UnitRunSummary {
  computed: boolean;
  rulesets: number;
  rules: number;
  cohort_size: number;
  conversions: number;
}

interface RuleRef {
  id: string;
  ruleset_id: string;
  weight: number;
}

interface RulesetRef {
  id: string;
  dimension: string;
}

/** Per-ruleset accumulator of the attribute dimensions' pass: leads per rule, converted per rule, leads per pair. */
class Tally {
  readonly leads = new Map<string, number>();
  readonly converted = new Map<string, number>();
  readonly pairs = new Map<string, number>();

  add(matched: readonly string[], n: number, conv: number): void {
    for (let i = 0; i < matched.length; i++) {
      this.leads.set(matched[i], (this.leads.get(matched[i]) ?? 0) + n);
      this.converted.set(matched[i], (this.converted.get(matched[i]) ?? 0) + conv);
      for (let j = i + 1; j < matched.length; j++) {
        const key = matched[i] < matched[j] ? `${matched[i]}\u0000${matched[j]}` : `${matched[j]}\u0000${matched[i]}`;
        this.pairs.set(key, (this.pairs.get(key) ?? 0) + n);
      }
    }
  }
}

/** The engagement pass's tally, by rule position (typed arrays: millions of additions without string keys). */
class IndexTally {
  private readonly leads: Float64Array;
  private readonly converted: Float64Array;
  private readonly pairs: Float64Array;

  constructor(private readonly size: number) {
    this.leads = new Float64Array(size);
    this.converted = new Float64Array(size);
    this.pairs = new Float64Array(size * size);
  }

  /** `matched`: ascending rule positions. */
  add(matched: readonly number[], n: number, conv: number): void {
    for (let x = 0; x < matched.length; x++) {
      const i = matched[x];
      this.leads[i] += n;
      this.converted[i] += conv;
      for (let y = x + 1; y < matched.length; y++) this.pairs[i * this.size + matched[y]] += n;
    }
  }

  toTally(ids: readonly string[]): Tally {
    const t = new Tally();
    for (let i = 0; i < this.size; i++) {
      if (this.leads[i]) t.leads.set(ids[i], this.leads[i]);
      if (this.converted[i]) t.converted.set(ids[i], this.converted[i]);
      for (let j = i + 1; j < this.size; j++) {
        const both = this.pairs[i * this.size + j];
        if (both) t.pairs.set(ids[i] < ids[j] ? `${ids[i]}\u0000${ids[j]}` : `${ids[j]}\u0000${ids[i]}`, both);
      }
    }
    return t;
  }
}

/**
 * Computes every ruleset of an OU in one transaction (CAL-4 `?force=1`, the weekly `calibration.run`):
 * 1. the cohort `(lead, converted)` once into a temporary table (one aggregate over the window's contributions);
 * 2. engagement rulesets, set-based: the distinct (ruleset, rule, lead) hits of the window's contributions into a
 *    second temporary table, then one GROUP BY for the per-rule counts and one self-join for the pairwise overlaps —
 *    a fixed number of statements whatever the number of rules or leads;
 * 3. attribute rulesets (profile, account, deal): their rules are evaluated by the scoring engine's own matcher, so
 *    one keyset-paged pass per dimension over the cohort grouped by what the rules read (the lead's attributes, its
 *    account's, or its account's deals), each group weighted by its cohort leads and converted leads;
 * 4. the pure maths (calibration-math) and one run row plus its rule rows per ruleset.
 */
@Injectable()
export class CalibrationEngine {
  private readonly log = new Logger('Calibration');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly definitions: ConversionDefinitions,
    private readonly setups: ScoringSetupService,
  ) {}

  /** Leads scored in the window and the converted among them (cold start, insufficient cohort). */
  async cohortCounts(scope: UnitScope, def: ConversionDefinition, m: EntityManager = this.ds.manager): Promise<CohortCounts> {
    const { from, to } = this.window(def);
    const row = await selectOne<CohortCounts>(
      m,
      sql`SELECT count(*)::int AS cohort_size, count(*) FILTER (WHERE c.converted)::int AS conversions FROM (${cohortQuery(scope, def, from, to)}) c`,
    );
    return row!;
  }

  async computeUnit(scope: UnitScope, trigger: RunTrigger): Promise<UnitRunSummary> {
    const def = await this.definitions.find(scope);
    if (!def) return { computed: false, rulesets: 0, rules: 0, cohort_size: 0, conversions: 0 };
    const started = Date.now();
    const summary = await this.ds.transaction(async (m) => {
      const now = this.clock.now();
      const { from, to } = this.window(def, now);
      // the cohort and rule-set aggregates hash a few million rows: in memory, not in temporary files
      await m.query(`SET LOCAL work_mem = '64MB'`);
      // a few statements, each run once: compiling them with JIT costs more than it saves
      await m.query(`SET LOCAL jit = off`);
      await m.query(`CREATE TEMP TABLE cal_cohort (lead_ref text PRIMARY KEY, converted boolean NOT NULL) ON COMMIT DROP`);
      const c = cohortQuery(scope, def, from, to).compile();
      await m.query(`INSERT INTO cal_cohort (lead_ref, converted) ${c.text}`, c.values);
      await m.query(`ANALYZE cal_cohort`);
      const cohort = (await selectOne<CohortCounts>(
        m,
        sql`SELECT count(*)::int AS cohort_size, count(*) FILTER (WHERE converted)::int AS conversions FROM cal_cohort`,
      ))!;

      const rulesets = await selectRows<RulesetRef>(m, sql`SELECT id, dimension FROM rulesets WHERE ${unitScope(undefined, scope)} ORDER BY id`);
      const results = new Map<string, RuleCalibration[]>();
      const engagement = rulesets.filter((r) => r.dimension === 'engagement');
      if (engagement.length) for (const [id, rs] of await this.engagement(m, scope, cohort, from, to)) results.set(id, rs);
      for (const dimension of ATTRIBUTE_DIMENSIONS) {
        if (!rulesets.some((r) => r.dimension === dimension)) continue;
        for (const [id, rs] of await this.attributes(m, scope, dimension, cohort)) results.set(id, rs);
      }

      let rules = 0;
      for (const rs of rulesets) {
        const list = results.get(rs.id) ?? [];
        rules += list.length;
        await this.persist(m, scope, rs, def, cohort, list, now, trigger);
      }
      return { computed: true, rulesets: rulesets.length, rules, cohort_size: cohort.cohort_size, conversions: cohort.conversions };
    });
    this.log.log({ msg: 'calibration computed', unit_id: scope.unitId, trigger, ...summary, ms: Date.now() - started });
    return summary;
  }

  private window(def: ConversionDefinition, now = this.clock.now()): { from: Date; to: Date } {
    return { from: new Date(now.getTime() - def.lookback_days * DAY_MS), to: now };
  }

  /**
   * Engagement: every ruleset of the OU from the window's contributions, set-based. One statement reduces the
   * contributions to each lead's set of triggered rules per ruleset (a bit mask over the ruleset's rules, hash
   * aggregated), joins the cohort, and groups the leads by (ruleset, set) with their count and converted count; the
   * distinct sets are read through a cursor in pages and tallied (per-rule leads and conversions, and leads per rule
   * pair). A pair self-join over (rule, lead) hits costs leads × pairs rows in PostgreSQL; the grouped sets are at most
   * one row per lead and ruleset.
   */
  private async engagement(m: EntityManager, scope: UnitScope, cohort: CohortCounts, from: Date, to: Date): Promise<Map<string, RuleCalibration[]>> {
    const rules = await selectRows<RuleRef & { i: number }>(
      m,
      sql`SELECT id, ruleset_id, weight, (row_number() OVER (PARTITION BY ruleset_id ORDER BY id))::int - 1 AS i
            FROM rules WHERE ${unitScope(undefined, scope)} AND dimension = 'engagement' ORDER BY ruleset_id, id`,
    );
    const byRuleset = new Map<string, (RuleRef & { i: number })[]>();
    for (const r of rules) (byRuleset.get(r.ruleset_id) ?? byRuleset.set(r.ruleset_id, []).get(r.ruleset_id)!).push(r);
    const rulesetIds = [...byRuleset.keys()];
    const counters = rulesetIds.map((rs) => new IndexTally(byRuleset.get(rs)!.length));
    if (rules.length) {
      // a lead's rules of one ruleset as bit masks of MASK_BITS bits per int4 word (hash-aggregated, no sort)
      const words = Math.ceil(Math.max(...[...byRuleset.values()].map((l) => l.length)) / MASK_BITS);
      const wordList = Array.from({ length: words }, (_, k) => k);
      const masks = sqlRaw(wordList.map((k) => `bit_or(CASE WHEN ri.i / ${MASK_BITS} = ${k} THEN 1 << (ri.i % ${MASK_BITS}) ELSE 0 END) AS w${k}`).join(', '));
      const keys = sqlRaw(wordList.map((k) => `h.w${k}`).join(', '));
      const sets = sql`SELECT h.rs, ${keys}, count(*)::int AS n, count(*) FILTER (WHERE c.converted)::int AS conv
                         FROM (SELECT ri.rs, es.lead_ref, ${masks}
                                 FROM event_scores es
                                 JOIN unnest(${rules.map((r) => r.id)}::text[], ${rules.map((r) => rulesetIds.indexOf(r.ruleset_id))}::int[],
                                             ${rules.map((r) => r.i)}::int[]) AS ri(rule_id, rs, i) ON ri.rule_id = es.rule_id
                                WHERE ${unitScope('es', scope)} AND es.occurred_at >= ${from.toISOString()} AND es.occurred_at <= ${to.toISOString()}
                                GROUP BY ri.rs, es.lead_ref) h
                         JOIN cal_cohort c ON c.lead_ref = h.lead_ref
                        GROUP BY h.rs, ${keys}`.compile();
      // read in pages through a cursor of this transaction: memory stays flat whatever the number of distinct sets
      await m.query(`DECLARE cal_sets NO SCROLL CURSOR FOR ${sets.text}`, sets.values);
      for (;;) {
        const rows: Record<string, number>[] = await m.query(`FETCH ${BATCH} FROM cal_sets`);
        const matched: number[] = [];
        for (const row of rows) {
          matched.length = 0;
          for (let k = 0; k < words; k++) {
            const w = row[`w${k}`];
            for (let b = 0; b < MASK_BITS; b++) if (w & (1 << b)) matched.push(k * MASK_BITS + b);
          }
          counters[row.rs].add(matched, row.n, row.conv);
        }
        if (rows.length < BATCH) break;
      }
      await m.query(`CLOSE cal_sets`);
    }
    const median = medianPositiveWeight(rules.map((r) => r.weight));
    const out = new Map<string, RuleCalibration[]>();
    rulesetIds.forEach((rs, k) => {
      const list = byRuleset.get(rs)!;
      out.set(rs, this.calibrate(cohort, list, counters[k].toTally(list.map((r) => r.id)), median));
    });
    return out;
  }

  private calibrate(cohort: CohortCounts, rules: readonly { id: string; weight: number }[], t: Tally, median: number): RuleCalibration[] {
    const counts: RuleCounts[] = rules.map((r) => ({
      rule_id: r.id,
      weight: r.weight,
      sample_size: t.leads.get(r.id) ?? 0,
      conversions_count: t.converted.get(r.id) ?? 0,
    }));
    const pairs: PairOverlap[] = [...t.pairs].map(([key, both]) => {
      const [a, b] = key.split('\u0000');
      return { a, b, both };
    });
    return calibrateRules(cohort, counts, pairs, median);
  }

  /**
   * Profile, account and deal rulesets: one pass, read through a cursor, over the cohort grouped by what the rules read, each
   * group's attributes tested by the engine's matcher (`attributeRuleMatches`) against every add_points rule.
   * "A lead triggered" a profile rule when its attributes match it; an account rule when its account's do; a deal
   * rule when at least one deal of its account does (see README "Calibration").
   */
  private async attributes(m: EntityManager, scope: UnitScope, dimension: AttributeDimension, cohort: CohortCounts): Promise<Map<string, RuleCalibration[]>> {
    const rulesets: AttributeRuleset[] = await this.setups.attributeRulesets(scope.orgId, scope.unitId, dimension, m);
    const rules = rulesets.flatMap((rs) => rs.rules.filter((r) => r.rule_type === 'add_points').map((r) => ({ rs: rs.id, rule: r })));
    const tallies = new Map(rulesets.map((rs) => [rs.id, new Tally()]));
    const groups = this.groups(dimension, scope).compile();
    await m.query(`DECLARE cal_groups NO SCROLL CURSOR FOR ${groups.text}`, groups.values);
    for (;;) {
      const rows: { n: number; conv: number; subjects: (Metadata | null)[] }[] = await m.query(`FETCH ${BATCH} FROM cal_groups`);
      for (const row of rows) {
        const matched = new Map<string, string[]>();
        for (const { rs, rule } of rules) {
          if (row.subjects.some((s) => attributeRuleMatches(rule, s))) (matched.get(rs) ?? matched.set(rs, []).get(rs)!).push(rule.id);
        }
        for (const [rs, ids] of matched) tallies.get(rs)!.add(ids, row.n, row.conv);
      }
      if (rows.length < BATCH) break;
    }
    await m.query(`CLOSE cal_groups`);
    const median = medianPositiveWeight(rules.map((r) => r.rule.weight));
    const out = new Map<string, RuleCalibration[]>();
    for (const rs of rulesets) {
      const list = rules.filter((r) => r.rs === rs.id).map((r) => r.rule);
      out.set(rs.id, this.calibrate(cohort, list, tallies.get(rs.id)!, median));
    }
    return out;
  }

  /** The cohort grouped by what a dimension's rules read: `(n, conv, subjects[])`, read through a cursor. */
  private groups(dimension: AttributeDimension, scope: UnitScope): Sql {
    if (dimension === 'profile') {
      return sql`SELECT 1 AS n, c.converted::int AS conv, jsonb_build_array(l.metadata) AS subjects FROM cal_cohort c JOIN leads l ON l.id = c.lead_ref`;
    }
    if (dimension === 'account') {
      return sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE c.converted)::int AS conv, jsonb_build_array(a.metadata) AS subjects
                   FROM cal_cohort c JOIN leads l ON l.id = c.lead_ref JOIN accounts a ON a.id = l.account_ref
                  GROUP BY a.id, a.metadata`;
    }
    return sql`SELECT g.n, g.conv,
                      (SELECT coalesce(jsonb_agg(d.properties || jsonb_strip_nulls(jsonb_build_object('stage', d.stage, 'amount', d.amount, 'account_id', d.account_id, 'name', d.name))), '[]'::jsonb)
                         FROM deals d WHERE ${unitScope('d', scope)} AND d.account_id = g.account_key) AS subjects
                 FROM (SELECT a.account_id AS account_key, count(*)::int AS n, count(*) FILTER (WHERE c.converted)::int AS conv
                         FROM cal_cohort c JOIN leads l ON l.id = c.lead_ref JOIN accounts a ON a.id = l.account_ref
                        GROUP BY a.id, a.account_id) g`;
  }

  private async persist(
    m: EntityManager,
    scope: UnitScope,
    rs: RulesetRef,
    def: ConversionDefinition,
    cohort: CohortCounts,
    results: RuleCalibration[],
    now: Date,
    trigger: RunTrigger,
  ): Promise<void> {
    const runId = randomUUID();
    const baseline = cohort.cohort_size ? cohort.conversions / cohort.cohort_size : 0;
    await m.query(
      `INSERT INTO calibration_runs (id, org_id, unit_id, ruleset_id, dimension, computed_at, trigger, conversion_type, lookback_days, cohort_size, conversions, baseline_cr)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        runId,
        scope.orgId,
        scope.unitId,
        rs.id,
        rs.dimension,
        now,
        trigger,
        def.conversion_type,
        def.lookback_days,
        cohort.cohort_size,
        cohort.conversions,
        baseline,
      ],
    );
    if (results.length) {
      await m.query(
        `INSERT INTO calibration_rule_results (run_id, rule_id, ruleset_id, weight_at_run, sample_size, conversions_count, rule_cr, raw_lift, shrunk_lift, confidence, suggested_weight, co_occurrence)
         SELECT $1, x.rule_id, $2, x.weight_at_run, x.sample_size, x.conversions_count, x.rule_cr, x.raw_lift, x.shrunk_lift, x.confidence, x.suggested_weight, x.co_occurrence
           FROM jsonb_to_recordset($3::jsonb) AS x(rule_id text, weight_at_run int, sample_size int, conversions_count int, rule_cr float8, raw_lift float8,
                shrunk_lift float8, confidence text, suggested_weight int, co_occurrence jsonb)`,
        [runId, rs.id, JSON.stringify(results)],
      );
    }
    await m.query(
      `DELETE FROM calibration_runs WHERE ruleset_id = $1 AND id NOT IN (SELECT id FROM calibration_runs WHERE ruleset_id = $1 ORDER BY computed_at DESC, id LIMIT $2)`,
      [rs.id, CALIBRATION_RUNS_KEPT],
    );
  }
}
