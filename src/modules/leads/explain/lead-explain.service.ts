import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import {
  boostPoints,
  Condition,
  ENGAGEMENT,
  renderFilterLabel,
  contributionPoints,
  roundScore,
  LeadRow,
  ScoreReader,
  DECAYED_POINTS_SQL,
  DECAY_RULE_ID,
  ScoringSetupService,
  scoreAttributeRulesets,
} from '../../scoring';
import { isoOrNull } from '../../../platform/http';
import { DisqualificationDto, LeadWhyDto, ScoreExplanationDto, SnapshotItemDto, TopDriverDto } from './lead-explain.dto';
import { FactorRow, whyWithFit } from './lead-why';
import { selectRows, sql } from '../../../platform/database';
import { unitOnly, unitScope } from '../../../platform/tenancy';

/** A row as pg returns it: numeric and timestamp columns arrive as text. */
type NumericText<Row, K extends keyof Row> = Omit<Row, K> & { [P in K]: string };

const HOUR = 3_600_000;
const cents = (n: number) => Math.round(Number(n.toPrecision(12)) * 100) / 100 + 0;
const absFirst = (a: number, b: number) => Math.abs(b) - Math.abs(a);

/** The velocity filters' suppressions (VF-3): what the explanation counts as inorganic. */
const INORGANIC = ['inorganic', 'inorganic_grouped'];

/**
 * Score explanations and "Why" summaries, read from the read models (`event_scores`, `lead_events`, `rules`):
 * what the stored decisions earned, never a re-derivation under today's rules.
 */
@Injectable()
export class LeadExplainService {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: ScoreReader,
    private readonly clock: Clock,
    private readonly setups: ScoringSetupService,
  ) {}

  /** EXP-1..3, LEAD-21 for a lead of the active OU (resolved by the caller). */
  async explain(lead: LeadRow, hours: number, now = this.clock.now(), m: EntityManager = this.ds.manager): Promise<ScoreExplanationDto> {
    const from = new Date(now.getTime() - hours * HOUR);
    const resetAt = lead.score_reset_at ? new Date(lead.score_reset_at) : null;
    const contributions: {
      event_id: string;
      ruleset_id: string;
      rule_id: string;
      base_points: number;
      multiplier: number;
      half_life_days: number | null;
      occurred_at: Date;
      event_type: string;
    }[] = (
      await m.query(
        `SELECT s.event_id, s.ruleset_id, s.rule_id, s.base_points, s.multiplier, s.half_life_days, s.occurred_at, le.event_type
           FROM event_scores s
           JOIN rulesets rs ON rs.id = s.ruleset_id AND rs.active
           JOIN lead_events le ON le.event_id = s.event_id
          WHERE s.lead_ref = $1 AND s.occurred_at > $2 AND s.occurred_at <= $3 AND ($4::timestamptz IS NULL OR s.occurred_at >= $4)
          ORDER BY s.occurred_at, s.event_id`,
        [lead.id, from, now, resetAt],
      )
    ).map((r: NumericText<(typeof contributions)[number], 'base_points' | 'multiplier' | 'occurred_at'>) => ({
      ...r,
      base_points: Number(r.base_points),
      multiplier: Number(r.multiplier),
      occurred_at: new Date(r.occurred_at),
    }));
    const rules = await selectRows<{
      id: string;
      ruleset_id: string;
      event_type: string;
      weight: number;
      half_life_days: number | null;
      active: boolean;
      filters: Condition[] | null;
    }>(
      m,
      sql`SELECT r.id, r.ruleset_id, r.event_type, r.weight, r.half_life_days, r.active, r.filters
            FROM rules r JOIN rulesets rs ON rs.id = r.ruleset_id
           WHERE ${unitOnly('rs', lead.unit_id)} AND rs.dimension = ${ENGAGEMENT} AND rs.active
           ORDER BY r.priority, r.id`,
    );
    const [counts] = await m.query(
      `SELECT count(*) FILTER (WHERE occurred_at > $2 AND occurred_at <= $3 AND suppression = ANY($4::text[]))::int AS inorganic,
              count(*) FILTER (WHERE $5::timestamptz IS NOT NULL AND occurred_at < $5)::int AS reset_excluded
         FROM lead_events WHERE lead_ref = $1 AND source <> 'system'`,
      [lead.id, from, now, INORGANIC, resetAt],
    );
    const scores = await this.reader.scores(lead, now, m);
    const ruleById = new Map(rules.map((r) => [r.id, r]));
    const label = (filters: Condition[] | null | undefined) => renderFilterLabel(filters ?? []);

    const drivers = new Map<string, TopDriverDto>();
    let decay = 0;
    const boosts = [];
    for (const c of contributions) {
      // DEC-6: what inactivity decay (DECAY events) took inside the window is decay, not a driver
      if (c.rule_id === DECAY_RULE_ID) {
        decay += c.base_points * c.multiplier;
        continue;
      }
      const rule = ruleById.get(c.rule_id);
      const d = drivers.get(c.rule_id) ?? {
        rule_id: c.rule_id,
        ruleset_id: c.ruleset_id,
        event_type: rule?.event_type ?? c.event_type,
        count: 0,
        weight: rule?.weight ?? c.base_points,
        total: 0,
        points_now: 0,
        ...(label(rule?.filters) ? { filter_label: label(rule?.filters) } : {}),
      };
      const undecayed = c.base_points * c.multiplier;
      const now_ = contributionPoints(c, now);
      d.count++;
      d.total += undecayed;
      d.points_now += now_;
      drivers.set(c.rule_id, d);
      decay += now_ - undecayed;
      if (c.multiplier !== 1)
        boosts.push({
          event_id: c.event_id,
          event_type: c.event_type,
          ruleset_id: c.ruleset_id,
          base_points: c.base_points,
          multiplier: c.multiplier,
          boost_points: boostPoints(c.base_points, c.multiplier),
        });
    }
    const top_drivers = [...drivers.values()]
      .map((d) => ({ ...d, total: cents(d.total), points_now: cents(d.points_now) }))
      .sort((a, b) => absFirst(a.total, b.total) || b.count - a.count || a.rule_id.localeCompare(b.rule_id));
    const snapshot: SnapshotItemDto[] = rules
      .filter((r) => r.active)
      .map((r) => ({
        rule_id: r.id,
        ruleset_id: r.ruleset_id,
        event_type: r.event_type,
        weight: r.weight,
        half_life_days: r.half_life_days,
        ...(label(r.filters) ? { filter_label: label(r.filters) } : {}),
      }))
      .sort((a, b) => absFirst(a.weight, b.weight) || a.event_type.localeCompare(b.event_type) || a.rule_id.localeCompare(b.rule_id));
    const best = scores.filter((s) => s.active).sort((a, b) => b.score - a.score)[0];
    return {
      lead_id: lead.lead_id,
      score: best ? roundScore(best.score) : 0,
      top_drivers,
      snapshot,
      surge_boost: boosts.map((b) => ({ ...b, boost_points: cents(b.boost_points) })),
      surge_total: cents(boosts.reduce((n, b) => n + b.boost_points, 0)),
      surge_event_count: new Set(boosts.map((b) => b.event_id)).size,
      decay_applied: cents(decay),
      inorganic_count: counts.inorganic,
      range_hours: hours,
      score_reset_at: resetAt ? resetAt.toISOString() : null,
      reset_excluded_count: counts.reset_excluded,
    };
  }

  /**
   * EXP-5/6: "Why" of many leads of one OU in exactly two queries whatever their number (the leads, then their
   * factors aggregated per event type and ruleset in SQL). Unknown ids and other OUs' are `missing`.
   */
  async whyMany(
    orgId: string,
    unitId: string,
    leadIds: readonly string[],
    now = this.clock.now(),
    m: EntityManager = this.ds.manager,
  ): Promise<{ found: LeadWhyDto[]; missing: string[] }> {
    const ids = [...new Set(leadIds)];
    if (!ids.length) return { found: [], missing: [] };
    const leads = await selectRows<{
      id: string;
      lead_id: string;
      metadata: Record<string, unknown> | null;
      disqualified: boolean;
      disqualified_at: Date | null;
      disqualification: Omit<DisqualificationDto, 'disqualified_at'> | null;
    }>(
      m,
      sql`SELECT id, lead_id, metadata, disqualified, disqualified_at, disqualification FROM leads
           WHERE ${unitScope(undefined, { orgId, unitId })} AND lead_id = ANY(${ids}::text[]) AND status = 'active'`,
    );
    // profile factors: the OU's profile rules (cached; one one-row version read while unchanged)
    const profileRulesets = leads.length ? await this.setups.attributeRulesets(orgId, unitId, 'profile', m) : [];
    const rows: FactorRow[] = leads.length
      ? (
          await m.query(
            `SELECT s.lead_ref, le.event_type_key, min(le.event_type) AS event_type, s.ruleset_id,
                    sum(${DECAYED_POINTS_SQL}) AS points, count(*)::int AS n,
                    count(*) FILTER (WHERE s.occurred_at > $2::timestamptz - interval '7 days' AND s.occurred_at <= $2)::int AS n7,
                    max(s.occurred_at) AS last_at, max(s.base_points) AS max_weight
               FROM event_scores s
               JOIN leads l ON l.id = s.lead_ref
               JOIN rulesets rs ON rs.id = s.ruleset_id AND rs.active
               JOIN lead_events le ON le.event_id = s.event_id
              WHERE s.lead_ref = ANY($1::text[]) AND (l.score_reset_at IS NULL OR s.occurred_at >= l.score_reset_at) AND s.rule_id <> $3
              GROUP BY s.lead_ref, le.event_type_key, s.ruleset_id`,
            [leads.map((l) => l.id), now.toISOString(), DECAY_RULE_ID],
          )
        ).map((r: NumericText<FactorRow, 'points' | 'max_weight' | 'last_at'>) => ({
          ...r,
          points: Number(r.points),
          max_weight: Number(r.max_weight),
          last_at: new Date(r.last_at),
        }))
      : [];
    const byLead = new Map<string, FactorRow[]>();
    for (const r of rows) byLead.set(r.lead_ref, [...(byLead.get(r.lead_ref) ?? []), r]);
    const found = leads.map((l) =>
      whyWithFit(
        l.lead_id,
        byLead.get(l.id) ?? [],
        scoreAttributeRulesets('profile', profileRulesets, l.metadata).matched,
        l.metadata,
        l.disqualified && l.disqualification ? { ...l.disqualification, disqualified_at: isoOrNull(l.disqualified_at) ?? '' } : null,
        now,
      ),
    );
    const seen = new Set(leads.map((l) => l.lead_id));
    return { found, missing: ids.filter((id) => !seen.has(id)) };
  }
}
