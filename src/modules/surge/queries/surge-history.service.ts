import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { raw, selectOne, selectRows, sql } from '../../../platform/database';
import { unitScope } from '../../../platform/tenancy';
import { detectSurges, SurgeWindow } from '../domain/surge-window';
import { SurgeTrigger } from '../entities/surge-trigger.entity';
import { SurgePreviewDto, SurgeSimulationDto } from '../http/surge.dto';
import { LeadErrors } from '../../leads';

export interface LeadSurges {
  leadId: string;
  windows: SurgeWindow[];
}

const DAY_MS = 86_400_000;
const SAMPLE_LEADS = 10;

/**
 * Backtests (SUR-6, SUR-7) over the `lead_events` history read model: kept (not suppressed) events that may
 * fire triggers (skip_triggers false) of the trigger's type, in the last `days` days. Nothing is written.
 */
@Injectable()
export class SurgeHistory {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** How often the trigger would have fired over every lead of its OU, with up to 10 of those leads. */
  async preview(trigger: SurgeTrigger, days: number): Promise<SurgePreviewDto> {
    const leads = await this.backtest(trigger, days);
    return { would_fire_count: leads.reduce((n, l) => n + l.windows.length, 0), sample_leads: leads.slice(0, SAMPLE_LEADS).map((l) => l.leadId) };
  }

  /** The windows in which the trigger would have fired for one lead (by its public lead id; 404 when unknown). */
  async simulate(trigger: SurgeTrigger, days: number, leadId: string): Promise<SurgeSimulationDto> {
    const scope = { orgId: trigger.orgId, unitId: trigger.unitId };
    const lead = await selectOne<{ id: string }>(this.ds, sql`SELECT id FROM leads WHERE ${unitScope(undefined, scope)} AND lead_id = ${leadId}`);
    // lead_not_found is the leads module's code; surge only reports it
    if (!lead) throw LeadErrors.notFound('lead_not_found', 'lead');
    const windows = (await this.backtest(trigger, days, lead.id)).flatMap((l) => l.windows);
    return {
      would_fire: windows.length > 0,
      total_matches: windows.length,
      message: `Trigger would have fired ${windows.length} time(s) for this lead in the last ${days} days`,
      matched_windows: windows.map((w) => ({ start: w.start.toISOString(), end: w.end.toISOString(), event_count: w.event_count })),
    };
  }

  async backtest(trigger: SurgeTrigger, days: number, leadRef?: string): Promise<LeadSurges[]> {
    const since = new Date(this.clock.now().getTime() - days * DAY_MS);
    const scope = { orgId: trigger.orgId, unitId: trigger.unitId };
    const rows = await selectRows<{ lead_ref: string; lead_id: string | null; occurred_at: Date }>(
      this.ds,
      sql`SELECT lead_ref, lead_id, occurred_at
            FROM lead_events
           WHERE ${unitScope(undefined, scope)} AND occurred_at >= ${since.toISOString()} AND lead_ref IS NOT NULL
             AND suppression IS NULL AND NOT skip_triggers
             AND (${trigger.eventTypeKey} = '' OR event_type_key = ${trigger.eventTypeKey})
             ${leadRef ? sql`AND lead_ref = ${leadRef}` : raw('')}
           ORDER BY lead_ref, occurred_at`,
    );
    const rule = { windowMs: trigger.windowSeconds * 1000, threshold: trigger.thresholdCount };
    const out: LeadSurges[] = [];
    for (let i = 0; i < rows.length;) {
      let j = i;
      while (j < rows.length && rows[j].lead_ref === rows[i].lead_ref) j++;
      const slice = rows.slice(i, j);
      const windows = detectSurges(
        rule,
        slice.map((r) => new Date(r.occurred_at)),
      );
      if (windows.length) out.push({ leadId: slice.find((r) => r.lead_id)?.lead_id ?? slice[0].lead_ref, windows });
      i = j;
    }
    return out;
  }
}
