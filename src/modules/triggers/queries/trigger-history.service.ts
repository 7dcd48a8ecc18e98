import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { raw, selectOne, selectRows, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { LeadErrors } from '../../leads';
import { detectPatterns, detectSequences, SeenEvent, simulateMilestone } from '../domain';
import { TriggerRow } from './trigger-views';

const DAY_MS = 86_400_000;
/** leads listed in `matched_leads` */
const MATCHED_LEADS = 100;

interface HistoryRow {
  lead_ref: string;
  lead_id: string | null;
  event_id: string;
  event_type_key: string;
  occurred_at: Date;
  skip_triggers: boolean;
  base_points: number | null;
  multiplier: number | null;
  half_life_days: number | null;
}

export interface Simulation {
  would_fire: boolean;
  matched_leads: string[];
  total_matches: number;
  message: string;
}

/**
 * Simulate (MS-8, SEQ-4): the trigger's detection — the same domain functions as the live path — over the kept
 * events of one lead (by its public id; 404 when not in the OU) or of every lead with events in the last `days` days.
 * Milestones replay each lead's whole scored history (the score at the window's start matters) and count the
 * firings inside the window. Nothing is written or sent.
 */
@Injectable()
export class TriggerHistory {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async simulate(t: TriggerRow, days: number, leadId?: string): Promise<Simulation> {
    const scope = { orgId: t.org_id, unitId: t.unit_id };
    let leadRef: string | undefined;
    if (leadId !== undefined) {
      const lead = await selectOne<{ id: string }>(this.ds, sql`SELECT id FROM leads WHERE ${unitScope(undefined, scope)} AND lead_id = ${leadId}`);
      if (!lead) throw LeadErrors.notFound('lead_not_found', 'lead');
      leadRef = lead.id;
    }
    const since = this.clock.now().getTime() - days * DAY_MS;
    const primary = await selectOne<{ id: string }>(
      this.ds,
      sql`SELECT id FROM rulesets WHERE ${unitScope(undefined, scope)} AND dimension = 'engagement' AND is_primary`,
    );
    const rows = await selectRows<HistoryRow>(
      this.ds,
      sql`SELECT e.lead_ref, e.lead_id, e.event_id, e.event_type_key, e.occurred_at, e.skip_triggers, s.base_points, s.multiplier, s.half_life_days
            FROM lead_events e
            LEFT JOIN event_scores s ON s.event_id = e.event_id AND s.ruleset_id = ${primary?.id ?? ''}
           WHERE ${unitScope('e', scope)} AND e.lead_ref IS NOT NULL AND e.suppression IS NULL
             ${t.kind === 'milestone' ? raw('') : sql`AND e.occurred_at >= ${new Date(since).toISOString()}`}
             ${leadRef ? sql`AND e.lead_ref = ${leadRef}` : sql`AND e.lead_ref IN (SELECT lead_ref FROM lead_events WHERE ${unitScope(undefined, scope)} AND occurred_at >= ${new Date(since).toISOString()})`}
           ORDER BY e.lead_ref, e.occurred_at, e.event_id`,
    );
    const matched: string[] = [];
    let total = 0;
    for (let i = 0; i < rows.length;) {
      let j = i;
      while (j < rows.length && rows[j].lead_ref === rows[i].lead_ref) j++;
      const n = this.firings(t, rows.slice(i, j), since);
      if (n) {
        total += n;
        if (matched.length < MATCHED_LEADS) matched.push(rows[i].lead_id ?? rows[i].lead_ref);
      }
      i = j;
    }
    return {
      would_fire: total > 0,
      matched_leads: matched,
      total_matches: total,
      message: `Trigger would have fired ${total} time(s) ${leadId !== undefined ? 'for this lead' : `for ${matched.length} lead(s)`} in the last ${days} days`,
    };
  }

  /** Firings of one lead's history inside the window (milestones: Reached only). */
  private firings(t: TriggerRow, rows: HistoryRow[], since: number): number {
    if (t.kind === 'milestone') {
      const rule = { threshold: t.score_threshold ?? 0, eventTypeKey: t.event_type_key, fireMode: t.fire_mode, cooldownMs: t.cooldown_seconds * 1000 };
      const events = rows.map((r) => ({
        event_id: r.event_id,
        event_type_key: r.event_type_key,
        occurred_at: new Date(r.occurred_at),
        fires: !r.skip_triggers,
        points: r.base_points === null ? [] : [{ base_points: r.base_points, multiplier: r.multiplier ?? 1, half_life_days: r.half_life_days }],
      }));
      return simulateMilestone(rule, events).filter((f) => f.kind === 'reached' && f.at.getTime() >= since).length;
    }
    const seen: SeenEvent[] = rows
      .filter((r) => !r.skip_triggers)
      .map((r) => ({ event_id: r.event_id, event_type_key: r.event_type_key, at: new Date(r.occurred_at) }));
    const windowMs = (t.config.window_seconds ?? 0) * 1000;
    if (t.kind === 'sequence') {
      return detectSequences({ stepKeys: t.config.event_type_keys ?? [], ordered: !!t.config.ordered, windowMs, fireMode: t.fire_mode }, seen).length;
    }
    return detectPatterns({ conditions: t.config.conditions ?? [], windowMs }, seen).length;
  }
}
