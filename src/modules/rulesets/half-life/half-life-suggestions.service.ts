import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AppError } from '../../../platform/http';
import { selectRows, sql } from '../../../platform/database';
import { RequestContext, unitScope } from '../../../platform/tenancy';
import { HALF_LIFE_SOURCE, halfLifeEligibility, HalfLifeSkipReason } from '../../scoring';
import { UpdateRuleCommand } from '../commands/update-rule/update-rule.command';
import { HalfLifeApplyDto, HalfLifeApplyResultDto, HalfLifeSuggestionDto, HalfLifeSuggestionsDto } from '../http/half-life-suggestions.dto';

interface RuleRow {
  id: string;
  ruleset_id: string;
  dimension: string;
  event_type: string;
  half_life_days: number | null;
}

/** Dimensions whose rules the suggestions read: engagement (eligible) and deal (read, never eligible: HL-1). */
const READ_DIMENSIONS = ['engagement', 'deal'];

/**
 * HL-1..HL-3: research half-life defaults for the active OU's rules, and their bulk apply. Each rule is updated
 * through the Ruleset aggregate's own command (its stream records the change, the setup cache sees it) and on its
 * own: one failure does not undo the others.
 */
@Injectable()
export class HalfLifeSuggestionsService {
  private readonly log = new Logger('HalfLifeSuggestions');

  constructor(
    private readonly ds: DataSource,
    private readonly commands: CommandBus,
  ) {}

  async suggestions(): Promise<HalfLifeSuggestionsDto> {
    const rules = await selectRows<RuleRow>(
      this.ds,
      sql`SELECT r.id, r.ruleset_id, rs.dimension, coalesce(r.event_type, '') AS event_type, r.half_life_days
            FROM rules r JOIN rulesets rs ON rs.id = r.ruleset_id
           WHERE ${unitScope('r')} AND rs.dimension = ANY(${READ_DIMENSIONS}::text[])`,
    );
    const suggestions: HalfLifeSuggestionDto[] = rules.map((r) => {
      const verdict = halfLifeEligibility(r);
      return {
        rule_id: r.id,
        ruleset_id: r.ruleset_id,
        dimension: r.dimension,
        event_type: r.event_type,
        current_half_life_days: r.half_life_days,
        suggested_half_life_days: verdict.eligible ? verdict.half_life_days : null,
        source: HALF_LIFE_SOURCE,
        eligible: verdict.eligible,
        ...(verdict.eligible ? {} : { reason: verdict.reason }),
      };
    });
    suggestions.sort((a, b) => Number(b.eligible) - Number(a.eligible) || a.event_type.localeCompare(b.event_type) || a.rule_id.localeCompare(b.rule_id));
    const eligible = suggestions.filter((s) => s.eligible).length;
    return { eligible_count: eligible, ineligible_count: suggestions.length - eligible, suggestions };
  }

  async apply(ruleIds: readonly string[]): Promise<HalfLifeApplyDto> {
    const ids = [...new Set(ruleIds)];
    const skip = (rule_id: string, reason: HalfLifeSkipReason): HalfLifeApplyResultDto => ({ rule_id, status: 'skipped', reason });
    let rows: Map<string, RuleRow> | null;
    try {
      rows = new Map(
        (
          await selectRows<RuleRow>(
            this.ds,
            sql`SELECT r.id, r.ruleset_id, rs.dimension, coalesce(r.event_type, '') AS event_type, r.half_life_days
                  FROM rules r JOIN rulesets rs ON rs.id = r.ruleset_id
                 WHERE ${unitScope('r')} AND r.id = ANY(${ids}::text[])`,
          )
        ).map((r) => [r.id, r]),
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'half-life apply: rule lookup failed');
      rows = null;
    }
    const results: HalfLifeApplyResultDto[] = [];
    for (const id of ids) {
      if (rows === null) {
        results.push(skip(id, 'lookup_error'));
        continue;
      }
      const rule = rows.get(id);
      if (!rule) {
        results.push(skip(id, 'not_found'));
        continue;
      }
      const verdict = halfLifeEligibility(rule);
      if (!verdict.eligible) {
        results.push(skip(id, verdict.reason));
        continue;
      }
      results.push(await this.applyOne(rule, verdict.half_life_days));
    }
    const applied = results.filter((r) => r.status === 'applied').length;
    RequestContext.describe({
      verb: 'updated',
      entityType: 'rule',
      summary: `applied research half-life defaults to ${applied} scoring rule(s), skipped ${results.length - applied}`,
    });
    return { applied_count: applied, skipped_count: results.length - applied, results };
  }

  private async applyOne(rule: RuleRow, days: number): Promise<HalfLifeApplyResultDto> {
    try {
      await this.commands.execute(new UpdateRuleCommand(rule.id, { half_life_days: days }));
    } catch (err) {
      // deleted between the lookup and the update
      if (err instanceof AppError && err.getStatus() === 404) return { rule_id: rule.id, status: 'skipped', reason: 'not_found' };
      this.log.warn({ err: (err as Error).message, rule_id: rule.id }, 'half-life apply: rule update failed');
      return { rule_id: rule.id, status: 'skipped', reason: 'update_error' };
    }
    RequestContext.auditAlso({
      verb: 'updated',
      entityType: 'rule',
      entityId: rule.id,
      summary: `set the half-life of scoring rule '${rule.event_type}' to its research default of ${days} days (${HALF_LIFE_SOURCE})`,
    });
    return { rule_id: rule.id, status: 'applied', half_life_days: days };
  }
}
