import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { JobContext, JobSummary, ScheduledJob } from '../../../platform/scheduling';
import { ENGAGEMENT, PRIMARY_SCORE_DIMENSION } from '../../scoring';
import { decayPeriodSeconds, DecayUnit } from '../domain/decay-rule-input';
import { applyDecayChunk, DecayCursor, UnitDecaySetup } from './decay-apply.sql';

/** Leads per chunk: each chunk is one transaction of one statement. */
export const DECAY_CHUNK = 10_000;

const QUIET: JobContext = { progress: () => undefined, trigger: 'manual' };

interface RuleRow {
  org_id: string;
  unit_id: string;
  id: string;
  inactive_for: number;
  unit: DecayUnit;
  decrease: number;
}

/**
 * DEC-7, hourly: every OU with active decay rules, its inactive leads in chunks (see `applyDecayChunk`).
 * Safe to run twice and on two workers at once: each chunk takes the OU's decay lock for its transaction, so a
 * concurrent run's chunk starts after this one committed and finds the periods charged; the ledger's primary key
 * drops anything charged twice all the same.
 */
@Injectable()
export class DecayApplyJob {
  private readonly log = new Logger('Decay');

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  @ScheduledJob({ name: 'decay.apply', cron: '0 * * * *' })
  async apply(ctx: JobContext = QUIET): Promise<JobSummary> {
    const now = this.clock.now();
    const setups = await this.setups();
    const cutoffs = setups.map((s) => new Date(now.getTime() - Math.min(...s.rules.map((r) => r.seconds)) * 1000));
    const totals = await Promise.all(setups.map((s, i) => this.candidates(s.unit_id, cutoffs[i])));
    const total = totals.reduce((n, x) => n + x, 0);
    const summary = { units: setups.length, leads_scanned: 0, leads_decayed: 0, applications: 0, events_written: 0, points_subtracted: 0 };
    ctx.progress(0, total);
    for (const [i, setup] of setups.entries()) {
      let after: DecayCursor | null = null;
      do {
        const chunk = await this.ds.transaction(async (m) => {
          await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`decay.apply:${setup.unit_id}`]);
          return applyDecayChunk(m, setup, now, cutoffs[i], after, DECAY_CHUNK);
        });
        after = chunk.next;
        summary.leads_scanned += chunk.scanned;
        summary.leads_decayed += chunk.leads_decayed;
        summary.applications += chunk.applications;
        summary.events_written += chunk.events;
        summary.points_subtracted += chunk.points;
        ctx.progress(summary.leads_scanned, total);
        this.log.log({
          msg: 'decay chunk',
          unit_id: setup.unit_id,
          leads: chunk.scanned,
          leads_decayed: chunk.leads_decayed,
          events: chunk.events,
          done: summary.leads_scanned,
          total,
        });
      } while (after);
    }
    this.log.log({ msg: 'decay applied', ...summary });
    return summary;
  }

  /** OUs with active rules and at least one active engagement ruleset, with what their chunks need. */
  private async setups(): Promise<UnitDecaySetup[]> {
    const rules: RuleRow[] = await this.ds.query(
      `SELECT org_id, unit_id, id, inactive_for, unit, decrease FROM decay_rules WHERE active ORDER BY org_id, unit_id, id`,
    );
    const byUnit = new Map<string, RuleRow[]>();
    for (const r of rules) byUnit.set(r.unit_id, [...(byUnit.get(r.unit_id) ?? []), r]);
    if (!byUnit.size) return [];
    const rulesets: { unit_id: string; id: string; is_primary: boolean; allow_negative: boolean }[] = await this.ds.query(
      `SELECT r.unit_id, r.id, r.is_primary, coalesce(ss.allow_negative_scores, false) AS allow_negative
         FROM rulesets r LEFT JOIN scoring_settings ss ON ss.org_id = r.org_id
        WHERE r.unit_id = ANY($1::text[]) AND r.dimension = $2 AND r.active ORDER BY r.id`,
      [[...byUnit.keys()], ENGAGEMENT],
    );
    const primary: { unit_id: string; id: string }[] = await this.ds.query(
      `SELECT unit_id, id FROM rulesets WHERE unit_id = ANY($1::text[]) AND dimension = $2 AND is_primary`,
      [[...byUnit.keys()], PRIMARY_SCORE_DIMENSION],
    );
    const out: UnitDecaySetup[] = [];
    for (const [unit, list] of byUnit) {
      const own = rulesets.filter((r) => r.unit_id === unit);
      if (!own.length) continue;
      out.push({
        org_id: list[0].org_id,
        unit_id: unit,
        rules: list.map((r) => ({ decay_id: r.id, seconds: decayPeriodSeconds({ inactive_for: r.inactive_for, unit: r.unit }), decrease: r.decrease })),
        rulesets: own.map((r) => r.id),
        primary: primary.find((p) => p.unit_id === unit)?.id ?? null,
        allow_negative: own[0].allow_negative,
      });
    }
    return out;
  }

  /** Leads of the OU inactive for at least the shortest period (an index-only count on the lead-list index). */
  private async candidates(unit: string, cutoff: Date): Promise<number> {
    const [row] = await this.ds.query(
      `SELECT count(*)::int AS n FROM leads l WHERE l.unit_id = $1 AND l.status = 'active' AND coalesce(l.last_event_at, '-infinity'::timestamptz) <= $2`,
      [unit, cutoff.toISOString()],
    );
    return row.n;
  }
}
