import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { selectOne, selectRows, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { PlatformErrors } from '../../../platform/http';
import { ENGAGEMENT } from '../domain/dimension';
import { Rule, Ruleset } from '../domain/ruleset';
import { rulesetScore } from '../domain/score-ruleset';
import { roundScore } from '../domain/score-rounding';
import { EngagementTestDto, EngagementTestResultDto, TestRuleDto } from '../http/scoring.dto';
import { LeadRow, ScoreReader } from '../queries/score-reader.service';
import { contributionsUnder, StoredLeadEvent } from '../rescore.service';
import { ScoringErrors } from '../scoring.errors';
import { ScoringSetupService } from '../setup/scoring-setup.service';

const MAX_LISTED_EVENTS = 100;
const DRY_RUN_RULE_ID = 'dry-run-rule';

/**
 * POST /engagement-scoring/test: scores a lead's stored events as if a rule were saved in a ruleset, through the
 * same code as the live pipeline (contributionsUnder) and the same score maths. Nothing is persisted.
 */
@Injectable()
export class EngagementDryRunService {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly setups: ScoringSetupService,
    private readonly clock: Clock,
  ) {}

  async test(body: EngagementTestDto): Promise<EngagementTestResultDto> {
    const lead = await this.reader.lead(body.lead_id);
    const setup = await this.setups.load(lead.org_id, lead.unit_id);
    // the rule may carry its ruleset as in POST /rules; both given must agree
    if (body.ruleset_id && body.rule.ruleset_id && body.ruleset_id !== body.rule.ruleset_id) {
      const reason = 'must equal ruleset_id when both are given';
      throw PlatformErrors.error('validation_failed', `rule.ruleset_id: ${reason}`, [{ field: 'rule.ruleset_id', reason }]);
    }
    const rulesetId = body.ruleset_id ?? body.rule.ruleset_id ?? (await this.primaryRuleset(lead));
    const target = setup.rulesets.find((r) => r.id === rulesetId);
    if (!target) throw ScoringErrors.notFound('ruleset_not_found', 'ruleset');
    const candidate = candidateRule(body.rule, target);
    const modified = { ...target, rules: [...target.rules.filter((r) => r.id !== candidate.id), candidate] };
    const events = await this.events(lead);
    const now = this.clock.now();
    const projected = contributionsUnder(modified, events, setup);
    const byId = new Map(events.map((e) => [e.event_id, e]));
    const contributions = [...projected].flatMap(([id, c]) => (c ? [{ ...c, occurred_at: byId.get(id)!.occurred_at }] : []));
    const resetAt = lead.score_reset_at ? new Date(lead.score_reset_at) : null;
    const projectedScore = rulesetScore(contributions, now, { allowNegative: setup.allowNegative, resetAt });
    const current = (await this.reader.scores(lead, now)).find((s) => s.ruleset_id === target.id)?.score ?? 0;
    const matching = events.filter((e) => projected.get(e.event_id)?.rule_id === candidate.id);
    return {
      matches: matching.length > 0,
      ruleset_id: target.id,
      current_score: roundScore(current),
      projected_score: roundScore(projectedScore),
      matching_event_count: matching.length,
      matching_events: matching.slice(0, MAX_LISTED_EVENTS).map((e) => {
        const c = projected.get(e.event_id)!;
        return {
          event_id: e.event_id,
          event_type: e.event_type,
          timestamp: e.occurred_at.toISOString(),
          points: Math.round(rulesetScore([{ ...c, occurred_at: e.occurred_at }], now, { allowNegative: true }) * 100) / 100,
        };
      }),
    };
  }

  private async primaryRuleset(lead: LeadRow): Promise<string> {
    const primary = await selectOne<{ id: string }>(
      this.ds,
      sql`SELECT id FROM rulesets WHERE ${unitScope(undefined, { orgId: lead.org_id, unitId: lead.unit_id })} AND dimension = ${ENGAGEMENT} AND is_primary`,
    );
    if (!primary) throw ScoringErrors.notFound('ruleset_not_found', 'primary engagement ruleset');
    return primary.id;
  }

  private async events(lead: LeadRow): Promise<StoredLeadEvent[]> {
    const rows = await selectRows<StoredLeadEvent>(
      this.ds,
      sql`SELECT event_id, lead_ref, event_type, event_type_key, occurred_at, metadata, suppression, surge_multiplier FROM lead_events
           WHERE lead_ref = ${lead.id} ORDER BY occurred_at DESC, event_id DESC`,
    );
    // the surge multipliers the events were recorded with: a dry run does not re-measure sessions
    return rows.map((e) => ({ ...e, occurred_at: new Date(e.occurred_at), surge_multiplier: Number(e.surge_multiplier) }));
  }
}

/** The tested rule as the domain sees it; `rule_id` makes it stand in for that rule of the ruleset. */
function candidateRule(rule: TestRuleDto, target: Ruleset): Rule {
  const existing = rule.rule_id ? target.rules.find((r) => r.id === rule.rule_id) : undefined;
  if (rule.rule_id && !existing) throw ScoringErrors.notFound('rule_not_found', 'rule');
  return {
    id: existing?.id ?? DRY_RUN_RULE_ID,
    event_type: rule.event_type,
    weight: rule.weight,
    half_life_days: rule.half_life_days ?? null,
    active: rule.active ?? true,
    start_at: rule.start_at ? new Date(rule.start_at) : null,
    end_at: rule.end_at ? new Date(rule.end_at) : null,
    priority: existing?.priority ?? Math.max(-1, ...target.rules.map((r) => r.priority)) + 1,
    filters: (rule.filters ?? []).map((c) => ({ key: c.key, operator: c.operator, ...(c.value !== undefined ? { value: c.value } : {}) })),
  };
}
