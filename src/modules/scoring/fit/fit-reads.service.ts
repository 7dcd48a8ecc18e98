import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { PlatformErrors } from '../../../platform/http';
import { currentUnit, orgScope, unitScope } from '../../../platform/tenancy';
import {
  AttributeDimension,
  attributeRuleName,
  attributeRuleProblems,
  AttributeRuleset,
  CandidateAttributeRule,
  ConditionGroup,
  dryRunAttributeRule,
  normaliseGroup,
  RuleType,
} from '../domain/attribute-rules';
import { Metadata } from '../domain/metadata-path';
import { AccountTestRuleDto, AttributeRuleFieldsDto, AttributeTestResultDto, DealTestDto, DqMatchCountDto, ProfileTestDto } from '../http/attribute-rule.dto';
import { ScoreReader } from '../queries/score-reader.service';
import { ScoringErrors } from '../scoring.errors';
import { ScoringSetupService } from '../setup/scoring-setup.service';

/** A dry-run body's rule as the domain's candidate; 400 naming `rule.<field>` when it is not a valid rule. */
export function candidateOf(rule: AttributeRuleFieldsDto & { rule_id?: string }, property: string): CandidateAttributeRule {
  const problems = attributeRuleProblems(rule);
  if (problems.length) {
    const details = problems.map((p) => ({ field: `rule.${p.field}`, reason: p.reason }));
    throw PlatformErrors.error('validation_failed', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
  }
  return {
    rule_id: rule.rule_id,
    property: property.trim(),
    condition: rule.condition,
    comparison_value: rule.comparison_value,
    weight: rule.weight,
    rule_type: (rule.rule_type ?? 'add_points') as RuleType,
    conditions: rule.conditions ? normaliseGroup(rule.conditions as ConditionGroup) : null,
  };
}

/** The target of a dry run: the named ruleset of the dimension (404 otherwise), else the primary (null: none yet). */
function targetRuleset(rulesets: AttributeRuleset[], given: string | undefined, ruleId: string | undefined): string | null {
  if (given !== undefined && !rulesets.some((r) => r.id === given)) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
  const id = given ?? rulesets.find((r) => r.is_primary)?.id ?? null;
  if (ruleId && !rulesets.find((r) => r.id === id)?.rules.some((r) => r.id === ruleId)) throw ScoringErrors.notFound('rule_not_found', 'rule');
  return id;
}

/** ABM gate, dry runs of the attribute dimensions and the hard-DQ match counts. */
@Injectable()
export class FitReads {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly setups: ScoringSetupService,
  ) {}

  /** ABM-1: 403 unless the organization turned ABM on (scoring settings). */
  async assertAbmEnabled(): Promise<void> {
    const row = await selectOne<{ abm_enabled: boolean }>(this.ds, sql`SELECT abm_enabled FROM scoring_settings WHERE ${orgScope()}`);
    if (!row?.abm_enabled)
      throw ScoringErrors.error('abm_disabled', 'account-based marketing is not enabled for this organization (scoring settings abm_enabled)');
  }

  /** PRF-14: the lead's stored profile score, and what it would be with the rule saved. */
  async profileTest(body: ProfileTestDto): Promise<AttributeTestResultDto> {
    const candidate = candidateOf(body.rule, body.rule.profile_property);
    const lead = await this.reader.lead(body.lead_id);
    const row = (await selectOne<{ metadata: Metadata | null; profile_score: number }>(
      this.ds,
      sql`SELECT metadata, profile_score FROM leads WHERE id = ${lead.id}`,
    ))!;
    const rulesets = await this.setups.attributeRulesets(lead.org_id, lead.unit_id, 'profile');
    return this.dryRun('profile', rulesets, targetRuleset(rulesets, body.ruleset_id, body.rule.rule_id), candidate, row.metadata, Number(row.profile_score));
  }

  /** DEAL-2: a deal of the active OU, its properties with stage, amount, account_id and name. */
  async dealTest(body: DealTestDto): Promise<AttributeTestResultDto> {
    const candidate = candidateOf(body.rule, body.rule.deal_property);
    const { orgId, unitId } = currentUnit();
    const deal = await selectOne<{ attributes: Metadata; deal_score: number }>(
      this.ds,
      sql`SELECT properties || jsonb_strip_nulls(jsonb_build_object('stage', stage, 'amount', amount, 'account_id', account_id, 'name', name)) AS attributes, deal_score
            FROM deals WHERE id::text = ${body.deal_id} AND ${unitScope()}`,
    );
    if (!deal) throw ScoringErrors.notFound('deal_not_found', 'deal');
    const rulesets = await this.setups.attributeRulesets(orgId, unitId, 'deal');
    return this.dryRun('deal', rulesets, targetRuleset(rulesets, undefined, body.rule.rule_id), candidate, deal.attributes, Number(deal.deal_score));
  }

  /**
   * ABM-5: a dry run of an account rule on an account's attributes (the accounts module reads the account), through
   * the same evaluator as the live account score; `rulesetId` as for profile (default: the primary account ruleset).
   */
  async accountDryRun(
    orgId: string,
    unitId: string,
    rule: AccountTestRuleDto,
    rulesetId: string | undefined,
    attributes: Metadata | null,
    current: number,
  ): Promise<AttributeTestResultDto> {
    const candidate = candidateOf(rule, rule.account_property);
    const rulesets = await this.setups.attributeRulesets(orgId, unitId, 'account');
    return this.dryRun('account', rulesets, targetRuleset(rulesets, rulesetId, rule.rule_id), candidate, attributes, current);
  }

  private dryRun(
    dimension: AttributeDimension,
    rulesets: AttributeRuleset[],
    target: string | null,
    candidate: CandidateAttributeRule,
    attributes: Metadata | null,
    current: number,
  ): AttributeTestResultDto {
    return dryRunAttributeRule(dimension, rulesets, target, candidate, attributes, current);
  }

  /**
   * PRF-12: every hard-DQ rule of an enabled profile or account ruleset of the active OU with the number of live
   * leads it disqualifies now (zero included), by match_count desc, rule_name asc.
   */
  async matchCounts(): Promise<DqMatchCountDto[]> {
    const rows = await selectRows<{
      rule_id: string;
      ruleset_id: string;
      dimension: string;
      property: string;
      condition: string;
      comparison_value: string;
      match_count: number;
    }>(
      this.ds,
      sql`SELECT x.id AS rule_id, x.ruleset_id, x.dimension, x.property, x.condition, x.comparison_value,
                 (SELECT count(*)::int FROM leads l WHERE l.unit_id = x.unit_id AND l.disqualified AND l.status = 'active'
                     AND l.disqualification->>'rule_id' = x.id) AS match_count
            FROM rules x JOIN rulesets r ON r.id = x.ruleset_id AND r.active
           WHERE ${unitScope('x')} AND x.dimension IN ('profile', 'account') AND x.rule_type = 'hard_disqualify'`,
    );
    return rows
      .map((r) => ({
        rule_id: r.rule_id,
        ruleset_id: r.ruleset_id,
        dimension: r.dimension,
        rule_name: attributeRuleName({
          property: r.property,
          condition: r.condition as CandidateAttributeRule['condition'],
          comparison_value: r.comparison_value,
        }),
        match_count: r.match_count,
      }))
      .sort((a, b) => b.match_count - a.match_count || a.rule_name.localeCompare(b.rule_name) || a.rule_id.localeCompare(b.rule_id));
  }
}
